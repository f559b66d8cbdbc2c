import { decodeBase64Strict, parseDecimal } from '../bytes.ts';
import type { Steps } from '../crypto-steps.ts';
import { HASH_SIZE } from './merkle.ts';
import { type NoteVerifier, openNote, parseVerifierKey } from './note.ts';

/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): a signed note whose text is
 *   <origin>\n<tree size, decimal>\n<base64 root hash>\n[<extension line>\n ...]
 */

export type Checkpoint = {
  /** Unique log identity, e.g. "veridity.example/ledger"; by convention also the signing key's name. */
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  /** Opaque, unauditable extra lines; the spec discourages them. */
  readonly extensions: readonly string[];
};

export type CheckpointFailureCode = 'MALFORMED_KEY' | 'MALFORMED_NOTE' | 'MALFORMED_CHECKPOINT' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE';

export type OpenedCheckpoint = { ok: true; checkpoint: Checkpoint } | { ok: false; code: CheckpointFailureCode; message: string };

/** Parses checkpoint note text (already authenticated by the caller). */
export function parseCheckpoint(text: string): { ok: true; checkpoint: Checkpoint } | { ok: false; code: 'MALFORMED_CHECKPOINT'; message: string } {
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

/**
 * Verifies a signed checkpoint against one or more trusted verifier keys and parses it. The caller
 * decides whether the origin is the log it expects (a key may be trusted for one log only).
 */
export function* openCheckpoint(note: string | Uint8Array, verifierKeys: string | readonly string[]): Steps<OpenedCheckpoint> {
  const verifiers: NoteVerifier[] = [];
  for (const key of typeof verifierKeys === 'string' ? [verifierKeys] : verifierKeys) {
    const parsed = yield* parseVerifierKey(key);
    if (!parsed.ok) return parsed;
    verifiers.push(parsed.verifier);
  }
  const opened = yield* openNote(note, verifiers);
  if (!opened.ok) return opened;
  return parseCheckpoint(opened.text);
}
