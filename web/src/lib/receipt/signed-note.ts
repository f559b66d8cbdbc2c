import { concatBytes, decodeBase64Strict, parseDecimal, sha256, utf8, wellFormedText } from './bytes.ts';

/**
 * C2SP signed notes and checkpoints, checked in the browser with WebCrypto Ed25519. The same
 * rules as the ledger's own code (src/modules/ledger/tlog/signed-note.ts and checkpoint.ts),
 * which the component test holds this port to:
 *   verifier key  <name>+<hex key id>+<base64(0x01 || 32-byte public key)>
 *   key id        first 4 bytes (big-endian) of SHA-256(name || 0x0A || 0x01 || public key)
 *   note          text ending in "\n", a blank line, then lines "— <name> <base64(key id || signature)>"
 *   checkpoint    <origin>\n<tree size>\n<base64 root hash>\n[<extension line>\n ...]
 */

const ED25519_TYPE = 0x01;
const ED25519_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
const SIGNATURE_LINE_PREFIX = '\u2014 ';
const MAX_SIGNATURES = 100;
export const HASH_SIZE = 32;

export type NoteVerifier = { name: string; keyId: number; publicKey: CryptoKey };
export type Checkpoint = { origin: string; treeSize: number; rootHash: Uint8Array; extensions: string[] };

type Failure<Code extends string> = { ok: false; code: Code; message: string };

export function isValidKeyName(name: string): boolean {
  return name.length > 0 && name.isWellFormed() && !/[\p{White_Space}+\u0000-\u001f]/u.test(name);
}

async function keyIdOf(name: string, rawPublicKey: Uint8Array): Promise<number> {
  const digest = await sha256(utf8(name), Uint8Array.of(0x0a, ED25519_TYPE), rawPublicKey);
  return new DataView(digest.buffer, digest.byteOffset).getUint32(0);
}

export const keyIdHex = (keyId: number): string => keyId.toString(16).padStart(8, '0');

export async function parseVerifierKey(encoded: string): Promise<{ ok: true; verifier: NoteVerifier } | Failure<'MALFORMED_KEY'>> {
  const malformed = (message: string) => ({ ok: false as const, code: 'MALFORMED_KEY' as const, message: `verifier key: ${message}` });
  const first = encoded.indexOf('+');
  const second = encoded.indexOf('+', first + 1);
  if (first < 0 || second < 0) return malformed('expected <name>+<key id>+<key>');
  const name = encoded.slice(0, first);
  const idHex = encoded.slice(first + 1, second);
  if (!isValidKeyName(name)) return malformed('invalid key name');
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) return malformed('key id must be 8 hex digits');
  const material = decodeBase64Strict(encoded.slice(second + 1));
  if (material === undefined) return malformed('key is not canonical base64');
  if (material[0] !== ED25519_TYPE) return malformed('unsupported key type (only Ed25519, 0x01)');
  if (material.length !== 1 + ED25519_KEY_SIZE) return malformed('Ed25519 keys are 32 bytes');
  const raw = material.slice(1);
  const keyId = Number.parseInt(idHex, 16);
  if ((await keyIdOf(name, raw)) !== keyId) return malformed('key id does not match the key');
  const publicKey = await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
  return { ok: true, verifier: { name, keyId, publicKey } };
}

function hasForbiddenCharacters(text: string): boolean {
  return /[\u0000-\u0009\u000b-\u001f]/.test(text);
}

export type OpenedNote = { ok: true; text: string } | Failure<'MALFORMED_NOTE' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE'>;

/**
 * Checks a signed note's signatures: those by unknown keys are ignored (rotation, witnesses),
 * a failing one by a known key rejects the note, and a known key must have signed.
 */
export async function openNote(note: string, verifiers: readonly NoteVerifier[]): Promise<OpenedNote> {
  const malformed = (message: string) => ({ ok: false as const, code: 'MALFORMED_NOTE' as const, message });
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
  let verified = false;
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_LINE_PREFIX)) return malformed('signature lines start with an em dash and a space');
    const body = line.slice(SIGNATURE_LINE_PREFIX.length);
    const space = body.indexOf(' ');
    const name = body.slice(0, space);
    const signature = space < 0 ? undefined : decodeBase64Strict(body.slice(space + 1));
    if (!isValidKeyName(name) || signature === undefined || signature.length < 5) {
      return malformed('signature line must be "— <key name> <base64 signature>"');
    }
    const keyId = new DataView(signature.buffer, signature.byteOffset).getUint32(0);
    const verifier = verifiers.find((v) => v.name === name && v.keyId === keyId);
    if (verifier === undefined) continue;
    const rawSignature = signature.slice(4);
    const valid = rawSignature.length === ED25519_SIGNATURE_SIZE && (await crypto.subtle.verify({ name: 'Ed25519' }, verifier.publicKey, rawSignature, concatBytes(message)));
    if (!valid) return { ok: false, code: 'BAD_SIGNATURE', message: `invalid signature by ${name}+${keyIdHex(keyId)}` };
    verified = true;
  }
  if (!verified) return { ok: false, code: 'UNKNOWN_KEY', message: 'no signature by a trusted key' };
  return { ok: true, text };
}

/** Checkpoint note text, already authenticated. */
export function parseCheckpoint(text: string): { ok: true; checkpoint: Checkpoint } | Failure<'MALFORMED_CHECKPOINT'> {
  const malformed = (message: string) => ({ ok: false as const, code: 'MALFORMED_CHECKPOINT' as const, message });
  if (!text.endsWith('\n')) return malformed('checkpoint text must end with a newline');
  const [origin, size, root, ...extensions] = text.slice(0, -1).split('\n');
  if (origin === undefined || size === undefined || root === undefined) return malformed('checkpoint needs origin, size and root lines');
  if (origin.length === 0) return malformed('checkpoint origin is empty');
  const treeSize = parseDecimal(size);
  if (treeSize === undefined) return malformed('tree size must be a decimal without leading zeros');
  const rootHash = decodeBase64Strict(root);
  if (rootHash === undefined || rootHash.length !== HASH_SIZE) return malformed(`root hash must be base64 of ${HASH_SIZE} bytes`);
  if (extensions.some((line) => line.length === 0)) return malformed('extension lines must be non-empty');
  return { ok: true, checkpoint: { origin, treeSize, rootHash, extensions } };
}
