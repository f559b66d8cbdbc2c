import { concatBytes, decodeBase64Strict, encodeBase64, utf8, wellFormedText } from '../bytes.ts';
import { ed25519Verify, sha256, type Steps } from '../crypto-steps.ts';

/**
 * C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 keys, compatible with
 * golang.org/x/mod/sumdb/note, verifying side:
 *   verifier key  <name>+<hex key id>+<base64(0x01 || 32-byte public key)>
 *   key id        first 4 bytes (big-endian) of SHA-256(name || 0x0A || 0x01 || public key)
 *   note          text ending in "\n", a blank line, then lines "— <name> <base64(key id || signature)>"
 * The server signs with the same encodings (src/modules/ledger/tlog/signed-note.ts).
 */

export const ED25519_TYPE = 0x01;
const ED25519_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
export const SIGNATURE_LINE_PREFIX = '\u2014 ';
/** The spec requires accepting at least 16 and asks for a limit; golang.org/x/mod uses 100. */
const MAX_SIGNATURES = 100;

export type NoteVerifier = { readonly name: string; readonly keyId: number; readonly publicKey: Uint8Array };
export type KeyFailure = { ok: false; code: 'MALFORMED_KEY'; message: string };
export type NoteFailureCode = 'MALFORMED_NOTE' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE';
export type OpenedNote =
  | { ok: true; text: string; verifiedBy: { name: string; keyId: number }[] }
  | { ok: false; code: NoteFailureCode; message: string };

/** Key names: non-empty, no Unicode white space, no "+", and (to fit in a note) no control characters. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && name.isWellFormed() && !/[\p{White_Space}+\u0000-\u001f]/u.test(name);
}

export function keyIdHex(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

export function* ed25519KeyId(name: string, rawPublicKey: Uint8Array): Steps<number> {
  const digest = yield* sha256(concatBytes(utf8(name), new Uint8Array([0x0a, ED25519_TYPE]), rawPublicKey));
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0);
}

export function encodeNoteKey(name: string, keyId: number, rawKey: Uint8Array): string {
  return `${name}+${keyIdHex(keyId)}+${encodeBase64(concatBytes(new Uint8Array([ED25519_TYPE]), rawKey))}`;
}

/** Splits "<name>+<8 hex>+<base64 key>" and decodes the Ed25519 key material; a string says what is wrong. */
export function splitNoteKey(encoded: string): { name: string; keyId: number; raw: Uint8Array } | string {
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

export function malformedKey(message: string): KeyFailure {
  return { ok: false, code: 'MALFORMED_KEY', message };
}

export function* parseVerifierKey(verifierKey: string): Steps<{ ok: true; verifier: NoteVerifier } | KeyFailure> {
  const parts = splitNoteKey(verifierKey);
  if (typeof parts === 'string') return malformedKey(`verifier key: ${parts}`);
  if ((yield* ed25519KeyId(parts.name, parts.raw)) !== parts.keyId) return malformedKey('verifier key: key id does not match the key');
  return { ok: true, verifier: { name: parts.name, keyId: parts.keyId, publicKey: parts.raw } };
}

/** Notes: well-formed UTF-8 without control characters other than newline. */
export function hasForbiddenCharacters(text: string): boolean {
  return /[\u0000-\u0009\u000b-\u001f]/.test(text);
}

function malformed(message: string): OpenedNote {
  return { ok: false, code: 'MALFORMED_NOTE', message };
}

/**
 * Parses a signed note and checks its signatures against `verifiers`. Signatures by unknown keys
 * are ignored (that is how rotation and witness cosigning work); any failing signature by a known
 * key rejects the whole note; at least one known key must have signed.
 */
export function* openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): Steps<OpenedNote> {
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

  const message = utf8(text);
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
    const keyId = new DataView(signature.buffer, signature.byteOffset, 4).getUint32(0);
    const verifier = verifiers.find((v) => v.name === name && v.keyId === keyId);
    if (verifier === undefined) continue;
    const rawSignature = signature.subarray(4);
    const valid = rawSignature.length === ED25519_SIGNATURE_SIZE && (yield* ed25519Verify(verifier.publicKey, rawSignature, message));
    if (!valid) return { ok: false, code: 'BAD_SIGNATURE', message: `invalid signature by ${name}+${keyIdHex(keyId)}` };
    if (!verifiedBy.some((v) => v.name === name && v.keyId === keyId)) verifiedBy.push({ name, keyId });
  }
  if (verifiedBy.length === 0) return { ok: false, code: 'UNKNOWN_KEY', message: 'no signature by a trusted key' };
  return { ok: true, text, verifiedBy };
}
