import type { Config } from '#src/config.ts';
import { openExistingRuntime } from '#src/runtime.ts';
import { SEALED_COLUMNS } from '#src/sealed-columns.ts';
import { countSealed, rotateSealedColumn, type RotationProgress } from '#platform/crypto/sealed-columns.ts';
import { createLogger } from '#platform/logger.ts';
import { CliError, usageError } from './cli-error.ts';
import { noDataError } from './no-data-error.ts';
import { parseOptions } from './parse-options.ts';

export const ROTATE_ENCRYPTION_KEY_HELP = `Usage: veridity rotate-encryption-key [--batch-size <n>] [--dry-run]

Re-encrypts every value sealed with an older key of VERIDITY_ENCRYPTION_KEY with its first key:
webhook secrets, platform signing keys, the evidence decryption keys, the agent CA keys and the
stored idempotent responses. List the new key first, the old one(s) after it
(VERIDITY_ENCRYPTION_KEY=<new>,<old>), on every server first, then run this once; servers keep
working meanwhile (they open values sealed with any listed key). Each batch is a short transaction
holding its rows locked; a write racing the rotation is kept. Resumable: a rerun skips what is on
the new key already. Once it reports nothing left, the old key can be removed from the list.

Options:
  --batch-size <n>  rows per transaction (default 100)
  --dry-run         only count, per column, the values sealed and those to re-seal

Exit: 0 when every value is on the new key; 1 when fewer than two keys are configured, or values
remain on an older key (unreadable with the configured keys, or written meanwhile by a server
still encrypting with the old key: rerun).`;

const DEFAULT_BATCH_SIZE = 100;

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function progressLine(column: string, p: RotationProgress): string {
  return `${column}: ${p.resealed} re-sealed, ${p.skipped} skipped (already on the new key), ${p.remaining} remaining${p.unreadable > 0 ? `, ${p.unreadable} unreadable` : ''}`;
}

/** `veridity rotate-encryption-key`. */
export async function rotateEncryptionKeyCommand(config: Config, argv: string[]): Promise<void> {
  const { values } = parseOptions({ args: argv, allowPositionals: false, options: { 'batch-size': { type: 'string' }, 'dry-run': { type: 'boolean' } } }, ROTATE_ENCRYPTION_KEY_HELP);
  const batchOption = values['batch-size'] ?? String(DEFAULT_BATCH_SIZE);
  if (!/^[1-9]\d{0,5}$/.test(batchOption)) throw usageError(`--batch-size: expected a whole number from 1 to 999999, got '${batchOption}'`, ROTATE_ENCRYPTION_KEY_HELP);
  const batchSize = Number(batchOption);

  const keys = config.encryptionKeys;
  if (!keys || keys.length < 2) {
    throw new CliError(
      `nothing to rotate to: ${keys ? 'VERIDITY_ENCRYPTION_KEY holds one key' : `VERIDITY_ENCRYPTION_KEY is unset (the embedded key file ${config.dataDir}/encryption.key is the only key)`}; ` +
        'list the new key first and the current one after it: VERIDITY_ENCRYPTION_KEY=<new>,<current>',
      1,
    );
  }
  if (keys.slice(1).some((key) => key.equals(keys[0]!))) {
    throw new CliError('VERIDITY_ENCRYPTION_KEY lists its first key again: the first key must be a new one, different from the keys after it', 1);
  }

  const opened = await openExistingRuntime(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr));
  if (!opened.ok) throw noDataError(opened.dataDir);
  const { runtime } = opened;
  const { pool } = runtime.database;
  const box = runtime.secretBox;
  let resealed = 0;
  let skipped = 0;
  let remaining = 0;
  let unreadable = 0;
  try {
    for (const sealed of SEALED_COLUMNS) {
      const column = `${sealed.table}.${sealed.column}`;
      if (values['dry-run']) {
        const counts = await countSealed(pool, box, sealed);
        out(`${column}: ${counts.sealed} sealed, ${counts.onCurrentKey} on the new key, ${counts.toReseal} to re-seal`);
        skipped += counts.onCurrentKey;
        remaining += counts.toReseal;
        continue;
      }
      const result = await rotateSealedColumn(pool, box, sealed, { batchSize, onBatch: (progress) => out(progressLine(column, progress)) });
      out(`${progressLine(column, result)} (done)`);
      resealed += result.resealed;
      skipped += result.skipped;
      remaining += result.remaining;
      unreadable += result.unreadable;
    }
  } finally {
    await runtime.close();
  }

  if (values['dry-run']) {
    out(`dry run: ${remaining} value(s) in ${SEALED_COLUMNS.length} columns would be re-sealed, ${skipped} already on the new key`);
    return;
  }
  out(`summary: ${resealed} re-sealed, ${skipped} skipped (already on the new key), ${remaining} remaining, in ${SEALED_COLUMNS.length} columns`);
  if (unreadable > 0) {
    throw new CliError(`${unreadable} value(s) could not be opened with any configured key (sealed with a key not in VERIDITY_ENCRYPTION_KEY, or altered): keep the key they need`, 1);
  }
  if (remaining > 0) {
    throw new CliError(`${remaining} value(s) are still on an older key (written meanwhile by a server encrypting with the old key first?): rerun once every server lists the new key first`, 1);
  }
  out('every sealed value is on the new key: the older key(s) can now be removed from VERIDITY_ENCRYPTION_KEY');
}
