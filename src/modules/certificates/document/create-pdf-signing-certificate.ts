import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { newCertificateSerial } from '#platform/crypto/certificate-serial.ts';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from './cms-identifiers.ts';

export type PdfSigningCertificateOptions = { commonName: string; notBefore: Date; notAfter: Date };

/** X.509 keyUsage bits (RFC 5280 4.2.1.3), most significant first: digitalSignature, nonRepudiation. */
const KEY_USAGE_SIGNING = 0b1100_0000;

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function x509Time(date: Date): pkijs.Time {
  return new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? pkijs.TimeType.UTCTime : pkijs.TimeType.GeneralizedTime, value: date });
}

export function isP256PrivateKey(key: KeyObject): boolean {
  return key.type === 'private' && key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

/**
 * The platform's self-signed X.509 certificate for signing certificate PDFs (ECDSA P-256 with
 * SHA-256): subject and issuer CN = `commonName` (what a PDF reader shows as the signer), not a
 * CA, keyUsage digitalSignature + nonRepudiation, a 128-bit random serial. Returns the DER.
 */
export function createPdfSigningCertificate(privateKey: KeyObject, options: PdfSigningCertificateOptions): Uint8Array {
  if (!isP256PrivateKey(privateKey)) throw new TypeError('the PDF signing key must be an ECDSA P-256 private key');
  if (!(options.notBefore < options.notAfter)) throw new RangeError('notBefore must be before notAfter');
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const publicKeyInfo = pkijs.PublicKeyInfo.fromBER(spki);
  const name = new pkijs.RelativeDistinguishedNames({
    typesAndValues: [new pkijs.AttributeTypeAndValue({ type: OID.commonName, value: new asn1js.Utf8String({ value: options.commonName }) })],
  });
  const serial = newCertificateSerial();
  const keyUsage = new asn1js.BitString({ valueHex: new Uint8Array([KEY_USAGE_SIGNING]).buffer, unusedBits: 6 });
  const keyIdentifier = createHash('sha1').update(Buffer.from(publicKeyInfo.subjectPublicKey.valueBlock.valueHexView)).digest();

  const certificate = new pkijs.Certificate({
    version: 2,
    serialNumber: new asn1js.Integer({ valueHex: serial }),
    issuer: name,
    subject: name,
    notBefore: x509Time(options.notBefore),
    notAfter: x509Time(options.notAfter),
    subjectPublicKeyInfo: publicKeyInfo,
    signature: new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 }),
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 }),
    extensions: [
      new pkijs.Extension({ extnID: OID.basicConstraints, critical: true, extnValue: new pkijs.BasicConstraints({ cA: false }).toSchema().toBER() }),
      new pkijs.Extension({ extnID: OID.keyUsage, critical: true, extnValue: keyUsage.toBER() }),
      new pkijs.Extension({ extnID: OID.subjectKeyIdentifier, critical: false, extnValue: new asn1js.OctetString({ valueHex: keyIdentifier }).toBER() }),
    ],
  });
  const tbs = certificate.encodeTBS().toBER();
  certificate.tbsView = new Uint8Array(tbs);
  const signature = sign('sha256', Buffer.from(tbs), { key: privateKey, dsaEncoding: 'der' });
  certificate.signatureValue = new asn1js.BitString({ valueHex: signature });
  return new Uint8Array(certificate.toSchema().toBER());
}
