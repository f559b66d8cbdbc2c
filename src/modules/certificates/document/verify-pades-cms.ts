import { createHash, createPublicKey, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from './cms-identifiers.ts';
import { commonName } from './x509-name.ts';

export type PadesCmsFailureCode = 'MALFORMED_SIGNATURE' | 'UNSUPPORTED_ALGORITHM' | 'DIGEST_MISMATCH' | 'SIGNING_CERTIFICATE_MISMATCH' | 'BAD_SIGNATURE' | 'UNTRUSTED_SIGNER';

export type PadesCmsCheck =
  | { ok: true; signerCertificateDer: Uint8Array; signerName: string | undefined; trusted: boolean }
  | { ok: false; code: PadesCmsFailureCode; message: string };

class CmsFailure extends Error {
  readonly code: PadesCmsFailureCode;

  constructor(code: PadesCmsFailureCode, message: string) {
    super(message);
    this.code = code;
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();
const bytesOf = (view: Uint8Array) => Buffer.from(view.buffer, view.byteOffset, view.byteLength);

/** The single value of the one signed attribute of this type; a missing or repeated one is refused. */
function singleValue(attributes: readonly pkijs.Attribute[], type: string, name: string): unknown {
  const found = attributes.filter((attribute) => attribute.type === type);
  if (found.length !== 1 || found[0]!.values.length !== 1) throw new CmsFailure('MALFORMED_SIGNATURE', `the signature needs exactly one ${name} signed attribute with one value`);
  return found[0]!.values[0];
}

/** certHash of the first ESSCertIDv2 of an ESS signing-certificate-v2 value (RFC 5035), which must use SHA-256. */
function signingCertificateHash(value: unknown): Buffer {
  const malformed = new CmsFailure('MALFORMED_SIGNATURE', 'the ESS signing-certificate-v2 attribute does not parse');
  const certs = value instanceof asn1js.Sequence ? value.valueBlock.value[0] : undefined;
  const first = certs instanceof asn1js.Sequence ? certs.valueBlock.value[0] : undefined;
  if (!(first instanceof asn1js.Sequence)) throw malformed;
  const [hashAlgorithm, certHash] = first.valueBlock.value[0] instanceof asn1js.OctetString ? [undefined, first.valueBlock.value[0]] : first.valueBlock.value;
  if (hashAlgorithm !== undefined && new pkijs.AlgorithmIdentifier({ schema: hashAlgorithm }).algorithmId !== OID.sha256) {
    throw new CmsFailure('UNSUPPORTED_ALGORITHM', 'the ESS signing-certificate-v2 hash is not SHA-256');
  }
  if (!(certHash instanceof asn1js.OctetString)) throw malformed;
  return bytesOf(certHash.valueBlock.valueHexView);
}

function signerCertificate(signedData: pkijs.SignedData, signerInfo: pkijs.SignerInfo): pkijs.Certificate {
  const sid = signerInfo.sid;
  if (!(sid instanceof pkijs.IssuerAndSerialNumber)) throw new CmsFailure('MALFORMED_SIGNATURE', 'the signer is not identified by issuer and serial number');
  const certificate = (signedData.certificates ?? []).find(
    (candidate): candidate is pkijs.Certificate => candidate instanceof pkijs.Certificate && candidate.issuer.isEqual(sid.issuer) && candidate.serialNumber.isEqual(sid.serialNumber),
  );
  if (!certificate) throw new CmsFailure('MALFORMED_SIGNATURE', "the signer's certificate is not embedded in the signature");
  return certificate;
}

function check(cms: Uint8Array, signedBytes: Uint8Array, trustedCertificates: readonly Uint8Array[]): PadesCmsCheck {
  const contentInfo = pkijs.ContentInfo.fromBER(new Uint8Array(cms));
  if (contentInfo.contentType !== OID.signedData) throw new CmsFailure('MALFORMED_SIGNATURE', 'the signature is not a CMS SignedData');
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  if (signedData.signerInfos.length !== 1) throw new CmsFailure('MALFORMED_SIGNATURE', `a PDF signature has one signer; this one has ${signedData.signerInfos.length}`);
  if (signedData.encapContentInfo.eContent || signedData.encapContentInfo.eContentType !== OID.data) {
    throw new CmsFailure('MALFORMED_SIGNATURE', 'the CMS is not detached data (it must sign the PDF bytes, not carry content)');
  }
  const signerInfo = signedData.signerInfos[0]!;
  if (signerInfo.digestAlgorithm.algorithmId !== OID.sha256 || signerInfo.signatureAlgorithm.algorithmId !== OID.ecdsaWithSha256) {
    throw new CmsFailure('UNSUPPORTED_ALGORITHM', `the signature uses ${signerInfo.signatureAlgorithm.algorithmId} over ${signerInfo.digestAlgorithm.algorithmId}; expected ECDSA with SHA-256`);
  }
  const signedAttributes = signerInfo.signedAttrs;
  if (!signedAttributes) throw new CmsFailure('MALFORMED_SIGNATURE', 'the signature has no signed attributes');
  const attributes = signedAttributes.attributes;

  const contentType = singleValue(attributes, OID.contentType, 'content-type');
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.getValue() !== OID.data) throw new CmsFailure('MALFORMED_SIGNATURE', 'the signed content-type is not id-data');
  const digest = singleValue(attributes, OID.messageDigest, 'message-digest');
  if (!(digest instanceof asn1js.OctetString)) throw new CmsFailure('MALFORMED_SIGNATURE', 'the message-digest attribute is not an OCTET STRING');
  if (!bytesOf(digest.valueBlock.valueHexView).equals(sha256(signedBytes))) {
    throw new CmsFailure('DIGEST_MISMATCH', 'the signed message digest is not the SHA-256 of the bytes the ByteRange covers: the PDF was modified');
  }

  const certificate = signerCertificate(signedData, signerInfo);
  const certificateDer = new Uint8Array(certificate.toSchema().toBER());
  if (!signingCertificateHash(singleValue(attributes, OID.signingCertificateV2, 'ESS signing-certificate-v2')).equals(sha256(certificateDer))) {
    throw new CmsFailure('SIGNING_CERTIFICATE_MISMATCH', 'the ESS signing-certificate-v2 attribute names another certificate than the signer\'s');
  }
  const publicKey = createPublicKey({ key: Buffer.from(certificate.subjectPublicKeyInfo.toSchema().toBER()), format: 'der', type: 'spki' });
  if (publicKey.asymmetricKeyType !== 'ec') throw new CmsFailure('UNSUPPORTED_ALGORITHM', "the signer's key is not an EC key");
  // The signature is over the DER of the attributes as a SET; pkijs keeps their encoding as received, retagged.
  const signed = Buffer.from(signedAttributes.encodedValue);
  if (!verify('sha256', signed, { key: publicKey, dsaEncoding: 'der' }, bytesOf(signerInfo.signature.valueBlock.valueHexView))) {
    throw new CmsFailure('BAD_SIGNATURE', "the CMS signature does not verify with the signer's certificate");
  }

  const trusted = trustedCertificates.some((der) => bytesOf(der).equals(certificateDer));
  if (trustedCertificates.length > 0 && !trusted) {
    throw new CmsFailure('UNTRUSTED_SIGNER', `the PDF is signed by ${commonName(certificate.subject) ?? 'a certificate'} that is not among the ${trustedCertificates.length} trusted PDF signing certificate(s)`);
  }
  return { ok: true, signerCertificateDer: certificateDer, signerName: commonName(certificate.subject), trusted };
}

/**
 * Verifies a PAdES CMS (detached SignedData, one signer, ECDSA with SHA-256) over `signedBytes`:
 * content-type, message digest, ESS signing-certificate-v2 bound to the embedded signer
 * certificate, the signature; and, when `trustedCertificates` is not empty, that the signer's
 * certificate is one of them (byte for byte). Never throws.
 */
export function verifyPadesCms(cms: Uint8Array, signedBytes: Uint8Array, trustedCertificates: readonly Uint8Array[]): PadesCmsCheck {
  try {
    return check(cms, signedBytes, trustedCertificates);
  } catch (error) {
    if (error instanceof CmsFailure) return { ok: false, code: error.code, message: error.message };
    return { ok: false, code: 'MALFORMED_SIGNATURE', message: `the signature CMS does not parse: ${(error as Error).message}` };
  }
}
