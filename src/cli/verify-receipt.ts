import { checkReceipt, type ReceiptCheck } from '#modules/ledger/check-receipt.ts';
import { CliError, usageError } from './cli-error.ts';
import { readInputFile } from './files.ts';
import { parseOptions } from './parse-options.ts';

export const VERIFY_RECEIPT_HELP = `Usage: veridity verify-receipt <file>... --key <verifier key> [--key <another key>] [--json]

Checks ledger receipts offline: no network, no database, no configuration. A receipt is the
C2SP tlog-proof@v1 text from GET /api/v1/receipts/{id}, for a zero-knowledge proof (prf_...) or a
TEE attestation task (tsk_..., its receiptUrl); '-' reads one from stdin. It is
valid when its checkpoint is signed by one of the given keys, for the log that key is named after,
and the entry it carries hashes up its inclusion path to that checkpoint's root.

Options:
  --key <key>  the ledger's note verifier key, as published at GET /api/v1/ledger/key
               (<origin>+<key id>+<base64 key>); repeat it to trust several (key rotation)
  --json       print one JSON object per receipt

Prints, per receipt, the entry (kind zk_proof or tee_task, public_id, claim_type, status,
public_hash: for a TEE task the SHA-256 of its result document, ts), its index
and the checkpoint's tree size, or the reason it is invalid:
  MALFORMED_RECEIPT, MALFORMED_KEY, UNKNOWN_KEY (not signed by a given key), BAD_SIGNATURE,
  INCLUSION_MISMATCH (the entry is not in the checkpointed tree), ORIGIN_MISMATCH.
Exit: 0 when every receipt is valid, 1 otherwise, 2 for a usage error (an unreadable file too).`;

async function readInput(file: string): Promise<Buffer> {
  if (file !== '-') return readInputFile(file, 'receipt');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function describe(result: ReceiptCheck): string {
  if (!result.ok) return `receipt INVALID: ${result.code}: ${result.message}\n`;
  const entry = JSON.parse(result.leaf.toString('utf8')) as Record<string, unknown>;
  return (
    `receipt OK: entry ${result.index} of ${result.origin}, included in its signed checkpoint (tree size ${result.treeSize})\n` +
    Object.entries(entry).map(([name, value]) => `  ${name.padEnd(11)} ${value === null ? '-' : String(value)}\n`).join('')
  );
}

function toJson(file: string, result: ReceiptCheck): string {
  const body = result.ok
    ? { ok: true, origin: result.origin, index: result.index, tree_size: result.treeSize, root_hash: result.rootHash.toString('base64'), entry: JSON.parse(result.leaf.toString('utf8')) as unknown }
    : { ok: false, code: result.code, message: result.message };
  return `${JSON.stringify({ file, ...body })}\n`;
}

/** `veridity verify-receipt <file>... --key <key>`. */
export async function verifyReceiptCommand(argv: string[]): Promise<void> {
  const parsed = parseOptions({ args: argv, allowPositionals: true, options: { key: { type: 'string', multiple: true }, json: { type: 'boolean' } } }, VERIFY_RECEIPT_HELP);
  const { values, positionals: files } = parsed;
  if (files.length === 0) throw usageError('name the receipt file(s) to check', VERIFY_RECEIPT_HELP);
  const keys = (values.key ?? []).map((key) => key.trim());
  if (keys.length === 0) throw usageError("--key is required: the ledger's verifier key (GET /api/v1/ledger/key)", VERIFY_RECEIPT_HELP);

  let invalid = 0;
  for (const file of files) {
    const result = checkReceipt(await readInput(file), keys);
    if (!result.ok) invalid++;
    if (values.json) process.stdout.write(toJson(file, result));
    else if (files.length > 1) process.stdout.write(`${file}: ${describe(result)}`);
    else if (result.ok) process.stdout.write(describe(result));
    else throw new CliError(describe(result).trimEnd(), 1);
  }
  if (invalid > 0) throw new CliError(`${invalid} of ${files.length} receipt(s) INVALID`, 1);
}
