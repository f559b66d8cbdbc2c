import type { KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const engine = new pkijs.CryptoEngine({ name: 'node', crypto: globalThis.crypto });
const COMMON_NAME = '2.5.4.3';

/**
 * A PKCS#10 certification request (DER) for an agent's ECDSA P-256 key, signed with that key
 * (ECDSA-SHA256): what `veridity agent enroll` sends. The private key stays with the caller.
 */
export async function createCsr(keys: { privateKey: KeyObject; publicKey: KeyObject }, commonName: string): Promise<Buffer> {
  const csr = new pkijs.CertificationRequest();
  csr.version = 0;
  csr.subject.typesAndValues.push(new pkijs.AttributeTypeAndValue({ type: COMMON_NAME, value: new asn1js.Utf8String({ value: commonName }) }));
  csr.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(new Uint8Array(keys.publicKey.export({ format: 'der', type: 'spki' })));
  const privateKey = await globalThis.crypto.subtle.importKey('pkcs8', new Uint8Array(keys.privateKey.export({ format: 'der', type: 'pkcs8' })), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  await csr.sign(privateKey, 'SHA-256', engine);
  return Buffer.from(csr.toSchema().toBER(false));
}
