import { createHash, type KeyObject } from 'node:crypto';
import { parseSignerKey, parseVerifierKey } from './tlog/index.ts';

/**
 * The log's C2SP note keys, derived from its Ed25519 platform key (purpose 'ledger', sealed at
 * rest): the key name is the log's origin, and the encodings are the signed-note ones
 *   verifier  <name>+<key id>+<base64(0x01 || public key)>
 *   signer    PRIVATE+KEY+<name>+<key id>+<base64(0x01 || seed)>
 * where key id = first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key).
 * Both strings are parsed back by the tlog core before they are returned, which checks the key id.
 */

const ED25519_TYPE = 0x01;

function keyId(name: string, rawPublicKey: Buffer): string {
  return createHash('sha256').update(name, 'utf8').update(Buffer.from([0x0a, ED25519_TYPE])).update(rawPublicKey).digest().subarray(0, 4).toString('hex');
}

function encode(name: string, rawPublicKey: Buffer, rawKey: Buffer): string {
  return `${name}+${keyId(name, rawPublicKey)}+${Buffer.concat([Buffer.from([ED25519_TYPE]), rawKey]).toString('base64')}`;
}

/** The 32-byte Ed25519 public key (JWK `x`) of a public or private KeyObject. */
function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new TypeError('the ledger key must be an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

/** What clients pin: `GET /api/v1/ledger/key`, and `veridity verify-receipt --key`. */
export function ledgerVerifierKey(origin: string, publicKey: KeyObject): string {
  const raw = rawPublicKey(publicKey);
  const verifierKey = encode(origin, raw, raw);
  const parsed = parseVerifierKey(verifierKey);
  if (!parsed.ok) throw new TypeError(`cannot encode the ledger verifier key: ${parsed.message}`);
  return verifierKey;
}

/** The signer key string `signCheckpoint` takes; never leaves the sequencer's memory. */
export function ledgerSignerKey(origin: string, privateKey: KeyObject): string {
  const jwk = privateKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string') throw new TypeError('the ledger signing key must be an Ed25519 private key');
  const signerKey = `PRIVATE+KEY+${encode(origin, rawPublicKey(privateKey), Buffer.from(jwk.d, 'base64url'))}`;
  const parsed = parseSignerKey(signerKey);
  if (!parsed.ok) throw new TypeError(`cannot encode the ledger signer key: ${parsed.message}`);
  return signerKey;
}
