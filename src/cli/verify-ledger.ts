import type { Config } from '#src/config.ts';
import { openExistingDatabase } from '#platform/db/database.ts';
import { createLogger } from '#platform/logger.ts';
import { auditLedger } from '#modules/ledger/audit-ledger.ts';
import { OUTCOME_SOURCES } from '#src/outcome-sources.ts';
import { parseVerifierKey } from '#modules/ledger/tlog/index.ts';
import { CliError } from './cli-error.ts';
import { noDataError } from './no-data-error.ts';
import { parseOptions } from './parse-options.ts';

export const VERIFY_LEDGER_HELP = `Usage: veridity verify-ledger [--key <verifier key>]... [--json]

Recomputes the whole ledger from the leaves in the database and compares it with everything stored
about it: each leaf hash, every stored subtree node, the tree head, every signed checkpoint (its
root at its size, and its signature), and the outcome behind each entry: the 'proofs' row of a
zero-knowledge proof (prf_...), the task row of a TEE attestation task (tsk_...). Reports an
altered or missing leaf, node, checkpoint or outcome row, and outcomes that were never logged.
Read-only; works on the configured (or embedded) database, sharing the running server's embedded
PostgreSQL (it never creates one).

Options:
  --key <key>  check checkpoint signatures with this pinned verifier key (GET /api/v1/ledger/key)
               instead of the public keys stored in the database; repeat for several
  --json       print the report as JSON

Exit: 0 when the database matches every checkpoint; 1 on any mismatch (each one is listed).
The 'ledger.audit' worker runs the same check daily (metric veridity_ledger_audit_mismatches).`;

/** `veridity verify-ledger`. */
export async function verifyLedgerCommand(config: Config, argv: string[]): Promise<void> {
  const parsed = parseOptions({ args: argv, allowPositionals: false, options: { key: { type: 'string', multiple: true }, json: { type: 'boolean' } } }, VERIFY_LEDGER_HELP);
  const keys = parsed.values.key?.map((key) => key.trim());
  for (const key of keys ?? []) {
    const checked = parseVerifierKey(key);
    if (!checked.ok) throw new CliError(`--key: ${checked.message}`);
  }

  const opened = await openExistingDatabase(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr));
  if (!opened.ok) throw noDataError(opened.dataDir);
  const { database } = opened;
  let report;
  try {
    report = await auditLedger({ pool: database.pool, outcomeSources: OUTCOME_SOURCES }, keys ? { trustedKeys: keys } : {});
  } finally {
    await database.close();
  }

  if (parsed.values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const unchecked = Object.entries(report.uncheckedKinds).map(([kind, count]) => `${count} ${kind}`);
    process.stdout.write(
      `ledger ${report.origin}: tree size ${report.treeSize}, pending ${report.pending}, checkpoints ${report.checkpoints}, ` +
        `outcomes compared with their rows ${report.outcomesChecked}${unchecked.length > 0 ? ` (kinds without an outcome source: ${unchecked.join(', ')})` : ''}\n` +
        report.problems.map((problem) => `  ${problem.code}: ${problem.message}\n`).join('') +
        (report.problemCount > report.problems.length ? `  ... and ${report.problemCount - report.problems.length} more\n` : ''),
    );
  }
  if (!report.ok) throw new CliError(`ledger verification FAILED: ${report.problemCount} problem(s)`, 1);
  if (!parsed.values.json) process.stdout.write('ledger OK: the database matches every signed checkpoint\n');
}
