import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { decodeBase64Strict, wellFormedText } from './text-encoding.ts';

/**
 * C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 keys, compatible with
 * golang.org/x/mod/sumdb/note:
 *   verifier key  <name>+<hex key id>+<base64(0x01 || 32-byte public key)>
 *   signer key    PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || 32-byte seed)>
 *   key id        first 4 bytes (big-endian) of SHA-256(name || 0x0A || 0x01 || public key)
 *   note          text ending in "\n", a blank line, then lines "— <name> <base64(key id || signature)>"
 */

const ED25519_TYPE = 0x01;
const ED25519_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';
const SIGNATURE_LINE_PREFIX = '\u2014 ';
/** The spec requires accepting at least 16 and asks for a limit; golang.org/x/mod uses 100. */
const MAX_SIGNATURES = 100;
// DER prefixes that turn a raw Ed25519 seed / public key into PKCS#8 / SPKI for node:crypto.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export type NoteSigner = { readonly name: string; readonly keyId: number; readonly privateKey: KeyObject };
export type NoteVerifier = { readonly name: string; readonly keyId: number; readonly publicKey: KeyObject };
export type NoteKeyPair = { readonly signerKey: string; readonly verifierKey: string };

export type KeyFailure = { ok: false; code: 'MALFORMED_KEY'; message: string };
export type NoteFailureCode = 'MALFORMED_NOTE' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE';
export type OpenedNote =
  | { ok: true; text: string; verifiedBy: { name: string; keyId: number }[] }
  | { ok: false; code: NoteFailureCode; message: string };

/** Key names: non-empty, no Unicode white space, no "+", and (to fit in a note) no control characters. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && name.isWellFormed() && !/[\p{White_Space}+\u0000-\u001f]/u.test(name);
}

function ed25519KeyId(name: string, rawPublicKey: Buffer): number {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, ED25519_TYPE]))
    .update(rawPublicKey)
    .digest()
    .readUInt32BE(0);
}

function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' }).subarray(SPKI_ED25519_PREFIX.length);
}

function keyIdHex(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

function encodeKey(name: string, keyId: number, rawKey: Buffer): string {
  return `${name}+${keyIdHex(keyId)}+${Buffer.concat([Buffer.from([ED25519_TYPE]), rawKey]).toString('base64')}`;
}

export function generateNoteKey(name: string): NoteKeyPair {
  if (!isValidKeyName(name)) throw new TypeError(`invalid note key name ${JSON.stringify(name)}`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(PKCS8_ED25519_PREFIX.length);
  const pub = rawPublicKey(publicKey);
  const keyId = ed25519KeyId(name, pub);
  return { signerKey: SIGNER_KEY_PREFIX + encodeKey(name, keyId, seed), verifierKey: encodeKey(name, keyId, pub) };
}

/** Splits "<name>+<8 hex>+<base64 key>" and decodes the Ed25519 key material. */
function splitKey(encoded: string): { name: string; keyId: number; raw: Buffer } | string {
  const first = encoded.indexOf('+');
  const second = encoded.indexOf('+', first + 1);
  if (first < 0 || second < 0) return 'expected <name>+<key id>+<key>';
  const name = encoded.slice(0, first);
  const idHex = encoded.slice(first + 1, second);
  if (!isValidKeyName(name)) return 'invalid key name';
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) return 'key id must be 8 hex digits';
  const material = decodeBase64Strict(encoded.slice(second + 1));
  if (material === undefined) return 'key is not canonical base64';
  if (material[0] !== ED25519_TYPE) return 'unsupported key type (only Ed25519, 0x01)';
  if (material.length !== 1 + ED25519_KEY_SIZE) return 'Ed25519 keys are 32 bytes';
  return { name, keyId: Number.parseInt(idHex, 16), raw: material.subarray(1) };
}

function malformedKey(message: string): KeyFailure {
  return { ok: false, code: 'MALFORMED_KEY', message };
}

export function parseVerifierKey(verifierKey: string): { ok: true; verifier: NoteVerifier } | KeyFailure {
  const parts = splitKey(verifierKey);
  if (typeof parts === 'string') return malformedKey(`verifier key: ${parts}`);
  if (ed25519KeyId(parts.name, parts.raw) !== parts.keyId) return malformedKey('verifier key: key id does not match the key');
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, parts.raw]), format: 'der', type: 'spki' });
  return { ok: true, verifier: { name: parts.name, keyId: parts.keyId, publicKey } };
}

export function parseSignerKey(signerKey: string): { ok: true; signer: NoteSigner } | KeyFailure {
  if (!signerKey.startsWith(SIGNER_KEY_PREFIX)) return malformedKey('signer key must start with PRIVATE+KEY+');
  const parts = splitKey(signerKey.slice(SIGNER_KEY_PREFIX.length));
  if (typeof parts === 'string') return malformedKey(`signer key: ${parts}`);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, parts.raw]), format: 'der', type: 'pkcs8' });
  // The id names the public key, so it can only be checked after deriving it from the seed.
  if (ed25519KeyId(parts.name, rawPublicKey(createPublicKey(privateKey))) !== parts.keyId) {
    return malformedKey('signer key: key id does not match the key');
  }
  return { ok: true, signer: { name: parts.name, keyId: parts.keyId, privateKey } };
}

/** Notes: well-formed UTF-8 without control characters other than newline. */
function hasForbiddenCharacters(text: string): boolean {
  return /[\u0000-\u0009\u000b-\u001f]/.test(text);
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

function malformed(message: string): OpenedNote {
  return { ok: false, code: 'MALFORMED_NOTE', message };
}

/**
 * Parses a signed note and checks its signatures against `verifiers`. Signatures by unknown keys
 * are ignored (that is how rotation and witness cosigning work); any failing signature by a known
 * key rejects the whole note; at least one known key must have signed.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const decoded = wellFormedText(note);
  if (decoded === undefined) return malformed('note is not valid UTF-8');
  if (hasForbiddenCharacters(decoded)) return malformed('note contains control characters');
  const split = decoded.lastIndexOf('\n\n');
  if (split < 0) return malformed('note has no blank line before its signatures');
  const text = decoded.slice(0, split + 1);
  const signatureBlock = decoded.slice(split + 2);
  if (!signatureBlock.endsWith('\n')) return malformed('signature block must end with a newline');
  const lines = signatureBlock.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) return malformed(`more than ${MAX_SIGNATURES} signatures`);

  const message = Buffer.from(text, 'utf8');
  const verifiedBy: { name: string; keyId: number }[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_LINE_PREFIX)) return malformed('signature lines start with an em dash and a space');
    const body = line.slice(SIGNATURE_LINE_PREFIX.length);
    const space = body.indexOf(' ');
    const name = body.slice(0, space);
    const signature = space < 0 ? undefined : decodeBase64Strict(body.slice(space + 1));
    if (!isValidKeyName(name) || signature === undefined || signature.length < 5) {
      return malformed('signature line must be "— <key name> <base64 signature>"');
    }
    const keyId = signature.readUInt32BE(0);
    const verifier = verifiers.find((v) => v.name === name && v.keyId === keyId);
    if (verifier === undefined) continue;
    const rawSignature = signature.subarray(4);
    const valid = rawSignature.length === ED25519_SIGNATURE_SIZE && verify(null, message, verifier.publicKey, rawSignature);
    if (!valid) return { ok: false, code: 'BAD_SIGNATURE', message: `invalid signature by ${name}+${keyIdHex(keyId)}` };
    if (!verifiedBy.some((v) => v.name === name && v.keyId === keyId)) verifiedBy.push({ name, keyId });
  }
  if (verifiedBy.length === 0) return { ok: false, code: 'UNKNOWN_KEY', message: 'no signature by a trusted key' };
  return { ok: true, text, verifiedBy };
}
