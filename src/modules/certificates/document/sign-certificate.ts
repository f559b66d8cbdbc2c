import { sign, type KeyObject } from 'node:crypto';
import { CERTIFICATE_JWS_ALGORITHM } from '#client/certificate-jws.ts';
import { canonicalize } from '#platform/canonical-json.ts';
import { type CertificateJson, parseCertificateJson } from './certificate-json.ts';

export type CertificateSigningKey = { id: string; privateKey: KeyObject };

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** A body that verifiers would refuse is a bug of the caller: it is never signed or rendered. */
export function assertCertificateJson(body: CertificateJson): void {
  const parsed = parseCertificateJson(body);
  if (!parsed.ok) throw new TypeError(parsed.message);
}

/**
 * The certificate as a compact JWS (RFC 7515): header `{alg: EdDSA, kid}`, payload the RFC 8785
 * canonical body, so the bytes a verifier hashes are the ones anyone recomputes from the JSON.
 * Throws (TypeError) on a body that is not a valid certificate or a key that is not Ed25519.
 */
export function signCertificate(body: CertificateJson, key: CertificateSigningKey): string {
  assertCertificateJson(body);
  if (key.privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError('the certificates key must be an Ed25519 private key');
  const signingInput = `${base64url(canonicalize({ alg: CERTIFICATE_JWS_ALGORITHM, kid: key.id }))}.${base64url(canonicalize(body))}`;
  return `${signingInput}.${sign(null, Buffer.from(signingInput, 'ascii'), key.privateKey).toString('base64url')}`;
}
