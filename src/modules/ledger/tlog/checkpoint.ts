import {
  type Checkpoint as ParsedCheckpoint,
  type CheckpointFailureCode,
  openCheckpoint as openCheckpointSteps,
  parseCheckpoint as parseCheckpointText,
} from '#client/tlog/checkpoint.ts';
import { runWithNodeCrypto } from '#platform/crypto/run-crypto-steps.ts';
import { HASH_SIZE } from './merkle-hash.ts';
import { parseSignerKey, signNote } from './signed-note.ts';

/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): a signed note whose text is
 *   <origin>\n<tree size, decimal>\n<base64 root hash>\n[<extension line>\n ...]
 * Parsing and opening are the client SDK's (sdk/client/src/tlog/checkpoint.ts); formatting and signing are here.
 */

export type { CheckpointFailureCode };

export type Checkpoint = {
  /** Unique log identity, e.g. "veridity.example/ledger"; by convention also the signing key's name. */
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Buffer;
  /** Opaque, unauditable extra lines; the spec discourages them. */
  readonly extensions?: readonly string[];
};

export type OpenedCheckpoint =
  | { ok: true; checkpoint: Checkpoint & { readonly extensions: readonly string[] } }
  | { ok: false; code: CheckpointFailureCode; message: string };

function isValidLine(line: string): boolean {
  return line.length > 0 && !line.includes('\n') && line.isWellFormed() && !/[\u0000-\u001f]/.test(line);
}

/** The note text of a checkpoint. Invalid fields are caller bugs and throw. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, treeSize, rootHash, extensions = [] } = checkpoint;
  if (!isValidLine(origin)) throw new TypeError('checkpoint origin must be a non-empty single line');
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new RangeError(`invalid tree size ${treeSize}`);
  if (rootHash.length !== HASH_SIZE) throw new RangeError(`root hash must be ${HASH_SIZE} bytes`);
  if (!extensions.every(isValidLine)) throw new TypeError('checkpoint extension lines must be non-empty single lines');
  return [origin, String(treeSize), rootHash.toString('base64'), ...extensions].map((line) => `${line}\n`).join('');
}

const withBufferRoot = (checkpoint: ParsedCheckpoint) => ({ ...checkpoint, rootHash: Buffer.from(checkpoint.rootHash) });

/** Parses checkpoint note text (already authenticated by the caller). */
export function parseCheckpoint(
  text: string,
): { ok: true; checkpoint: Checkpoint & { readonly extensions: readonly string[] } } | { ok: false; code: 'MALFORMED_CHECKPOINT'; message: string } {
  const parsed = parseCheckpointText(text);
  return parsed.ok ? { ok: true, checkpoint: withBufferRoot(parsed.checkpoint) } : parsed;
}

/**
 * Signs a checkpoint with a note signer key ("PRIVATE+KEY+..."), returning the signed note.
 * A malformed signer key is a configuration error and throws; validate it at startup with parseSignerKey.
 */
export function signCheckpoint(checkpoint: Checkpoint, signerKey: string): string {
  const parsed = parseSignerKey(signerKey);
  if (!parsed.ok) throw new TypeError(parsed.message);
  return signNote(formatCheckpoint(checkpoint), [parsed.signer]);
}

/**
 * Verifies a signed checkpoint against one or more trusted verifier keys and parses it. The caller
 * decides whether the origin is the log it expects (a key may be trusted for one log only).
 */
export function openCheckpoint(note: string | Uint8Array, verifierKeys: string | readonly string[]): OpenedCheckpoint {
  const opened = runWithNodeCrypto(openCheckpointSteps(note, verifierKeys));
  return opened.ok ? { ok: true, checkpoint: withBufferRoot(opened.checkpoint) } : opened;
}
