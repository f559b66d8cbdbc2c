import type { KeyObject } from 'node:crypto';
import { checkCertificateJws, type CertificateJwsFailureCode } from '#client/certificate-jws.ts';
import { runWithNodeCrypto } from '#platform/crypto/run-crypto-steps.ts';
import { type CertificateJson, parseCertificateJson } from './certificate-json.ts';

export type { CertificateJwsFailureCode } from '#client/certificate-jws.ts';

export type CertificateVerificationKey = { id: string; publicKey: KeyObject };

export type CertificateJwsCheck =
  | { ok: true; body: CertificateJson; keyId: string }
  | { ok: false; code: CertificateJwsFailureCode; message: string };

/**
 * Checks a certificate JWS against the certificates keys (by `kid`): the client SDK's rules
 * (sdk/client/src/certificate-jws.ts: Ed25519 signature, then a canonical payload) run with
 * node:crypto, then that the payload is a certificate body. Never throws: any input gets a result.
 */
export function verifyCertificateJws(jws: string, publicKeys: readonly CertificateVerificationKey[]): CertificateJwsCheck {
  const keys = publicKeys
    .filter((key) => key.publicKey.asymmetricKeyType === 'ed25519')
    .map((key) => ({ id: key.id, publicKey: new Uint8Array(Buffer.from(key.publicKey.export({ format: 'jwk' }).x!, 'base64url')) }));
  const signature = runWithNodeCrypto(checkCertificateJws(jws, keys));
  if (!signature.ok) return signature;
  const body = parseCertificateJson(signature.payload);
  if (!body.ok) return { ok: false, code: 'MALFORMED', message: body.message };
  return { ok: true, body: body.body, keyId: signature.keyId };
}
