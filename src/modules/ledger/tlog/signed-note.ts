import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import {
  ed25519KeyId,
  encodeNoteKey,
  hasForbiddenCharacters,
  isValidKeyName,
  type KeyFailure,
  malformedKey,
  type NoteVerifier,
  type OpenedNote,
  openNote as openNoteSteps,
  parseVerifierKey as parseVerifierKeySteps,
  SIGNATURE_LINE_PREFIX,
  splitNoteKey,
} from '#client/tlog/note.ts';
import { runWithNodeCrypto } from '#platform/crypto/run-crypto-steps.ts';

/**
 * C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 keys, compatible with
 * golang.org/x/mod/sumdb/note. The encodings and the verifying side are the client SDK's
 * (sdk/client/src/tlog/note.ts: receipts verify offline in browsers too); signing is here:
 *   signer key    PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || 32-byte seed)>
 */

const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';
// DER prefix that turns a raw Ed25519 seed into PKCS#8 for node:crypto.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX_LENGTH = 12;

export { isValidKeyName, type KeyFailure, type NoteVerifier, type OpenedNote };
export type NoteSigner = { readonly name: string; readonly keyId: number; readonly privateKey: KeyObject };
export type NoteKeyPair = { readonly signerKey: string; readonly verifierKey: string };

function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' }).subarray(SPKI_ED25519_PREFIX_LENGTH);
}

export function generateNoteKey(name: string): NoteKeyPair {
  if (!isValidKeyName(name)) throw new TypeError(`invalid note key name ${JSON.stringify(name)}`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(PKCS8_ED25519_PREFIX.length);
  const pub = rawPublicKey(publicKey);
  const keyId = runWithNodeCrypto(ed25519KeyId(name, pub));
  return { signerKey: SIGNER_KEY_PREFIX + encodeNoteKey(name, keyId, seed), verifierKey: encodeNoteKey(name, keyId, pub) };
}

export function parseVerifierKey(verifierKey: string): { ok: true; verifier: NoteVerifier } | KeyFailure {
  return runWithNodeCrypto(parseVerifierKeySteps(verifierKey));
}

export function parseSignerKey(signerKey: string): { ok: true; signer: NoteSigner } | KeyFailure {
  if (!signerKey.startsWith(SIGNER_KEY_PREFIX)) return malformedKey('signer key must start with PRIVATE+KEY+');
  const parts = splitNoteKey(signerKey.slice(SIGNER_KEY_PREFIX.length));
  if (typeof parts === 'string') return malformedKey(`signer key: ${parts}`);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, parts.raw]), format: 'der', type: 'pkcs8' });
  // The id names the public key, so it can only be checked after deriving it from the seed.
  if (runWithNodeCrypto(ed25519KeyId(parts.name, rawPublicKey(createPublicKey(privateKey)))) !== parts.keyId) {
    return malformedKey('signer key: key id does not match the key');
  }
  return { ok: true, signer: { name: parts.name, keyId: parts.keyId, privateKey } };
}

/** Signs `text` (which must end with a newline) and returns the signed note. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (!text.endsWith('\n') || !text.isWellFormed() || hasForbiddenCharacters(text)) {
    throw new TypeError('note text must be well-formed, end with a newline and contain no control characters');
  }
  if (signers.length === 0) throw new TypeError('a note needs at least one signer');
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map((signer) => {
    const keyId = Buffer.alloc(4);
    keyId.writeUInt32BE(signer.keyId);
    const signature = sign(null, message, signer.privateKey);
    return `${SIGNATURE_LINE_PREFIX}${signer.name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

/**
 * Parses a signed note and checks its signatures against `verifiers`. Signatures by unknown keys
 * are ignored (that is how rotation and witness cosigning work); any failing signature by a known
 * key rejects the whole note; at least one known key must have signed.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  return runWithNodeCrypto(openNoteSteps(note, verifiers));
}
