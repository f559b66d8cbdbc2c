import { createHash, type KeyObject } from 'node:crypto';
import { newCertificateSerial } from '#platform/crypto/certificate-serial.ts';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const engine = new pkijs.CryptoEngine({ name: 'node', crypto: globalThis.crypto });

const COMMON_NAME = '2.5.4.3';
const ORGANIZATION = '2.5.4.10';
const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
const SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
/** keyEncipherment (bit 2) only: the key unwraps content-encryption keys, it signs nothing else. */
const KEY_ENCIPHERMENT = 0x20;
const VALIDITY_YEARS = 10;

function name(commonName: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [
      new pkijs.AttributeTypeAndValue({ type: ORGANIZATION, value: new asn1js.Utf8String({ value: 'Veridity' }) }),
      new pkijs.AttributeTypeAndValue({ type: COMMON_NAME, value: new asn1js.Utf8String({ value: commonName }) }),
    ],
  });
}

/**
 * A self-signed X.509 certificate for the platform's evidence encryption key (RSA): what partners
 * give `openssl cms -encrypt -recip` or any CMS library. keyUsage keyEncipherment, not a CA; the
 * subject key identifier lets a recipient be named either way (issuer and serial, or SKI).
 */
export async function makeEncryptionCertificate(keys: { publicKey: KeyObject; privateKey: KeyObject }, now: Date): Promise<Buffer> {
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const subtle = globalThis.crypto.subtle;
  const publicKey = await subtle.importKey('spki', keys.publicKey.export({ format: 'der', type: 'spki' }), algorithm, true, ['verify']);
  const privateKey = await subtle.importKey('pkcs8', keys.privateKey.export({ format: 'der', type: 'pkcs8' }), algorithm, false, ['sign']);
  const certificate = new pkijs.Certificate();
  certificate.version = 2;
  certificate.serialNumber = new asn1js.Integer({ valueHex: newCertificateSerial() });
  certificate.issuer = name('Veridity evidence encryption');
  certificate.subject = name('Veridity evidence encryption');
  certificate.notBefore.value = now;
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  certificate.notAfter.value = notAfter;
  await certificate.subjectPublicKeyInfo.importKey(publicKey, engine);
  // RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits.
  const keyId = createHash('sha1').update(certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest();
  certificate.extensions = [
    new pkijs.Extension({ extnID: BASIC_CONSTRAINTS, critical: true, extnValue: new pkijs.BasicConstraints({ cA: false }).toSchema().toBER(false) }),
    new pkijs.Extension({ extnID: KEY_USAGE, critical: true, extnValue: new asn1js.BitString({ valueHex: new Uint8Array([KEY_ENCIPHERMENT]), unusedBits: 5 }).toBER(false) }),
    new pkijs.Extension({ extnID: SUBJECT_KEY_IDENTIFIER, extnValue: new asn1js.OctetString({ valueHex: keyId }).toBER(false) }),
  ];
  await certificate.sign(privateKey, 'SHA-256', engine);
  return Buffer.from(certificate.toSchema(true).toBER(false));
}
