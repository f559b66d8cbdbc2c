import type { Config } from '#src/config.ts';
import { systemClock } from '#platform/clock.ts';
import { openExistingDatabase } from '#platform/db/database.ts';
import { createLogger } from '#platform/logger.ts';
import { recomputeReputation, type RecomputeReport } from '#modules/agents/recompute-reputation.ts';
import { CliError, usageError } from './cli-error.ts';
import { noDataError } from './no-data-error.ts';
import { parseOptions } from './parse-options.ts';

export const AGENTS_HELP = `Usage: veridity agents recompute-reputation [--agent agr_...] [--write] [--json]

Recomputes registry agents' reputation from the stored events alone (work records, validations,
feedback, x402 settlements; docs/reputation.md) and compares it with the numbers maintained
incrementally on every event. Reports each agent whose numbers differ (beyond float rounding, 1e-9).

Options:
  --agent <id>  only this agent (default: every agent)
  --write       replace differing numbers with the recomputed ones (items, sums, score, today's history)
  --json        print the reports as JSON

Exit: 0 when every agent matches (or was fixed with --write); 1 when some differ without --write.`;

function describe(report: RecomputeReport): string {
  const score = (value: number | null) => (value === null ? 'none' : value.toFixed(6));
  const state = report.written ? 'FIXED' : report.differs ? 'DIFFERS' : 'ok';
  return `${report.agentId} ${state}: stored score ${score(report.stored.score)} confidence ${report.stored.confidence.toFixed(6)}, ` +
    `recomputed score ${score(report.recomputed.score)} confidence ${report.recomputed.confidence.toFixed(6)}` +
    (report.differs ? ` (items differing ${report.itemsDiffering}, largest difference ${report.largestDifference})` : '');
}

/** `veridity agents ...`: operator commands on the agent registry. */
export async function agents(config: Config, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'recompute-reputation') throw usageError(`unknown agents command ${sub ?? ''}`.trim(), AGENTS_HELP);
  const parsed = parseOptions({ args: rest, allowPositionals: false, options: { agent: { type: 'string' }, write: { type: 'boolean' }, json: { type: 'boolean' } } }, AGENTS_HELP);
  const agentId = parsed.values.agent;
  if (agentId !== undefined && !/^agr_[A-Za-z0-9]{1,60}$/.test(agentId)) throw usageError('--agent: not an agent id (agr_...)', AGENTS_HELP);
  const opened = await openExistingDatabase(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr));
  if (!opened.ok) throw noDataError(opened.dataDir);
  const { pool } = opened.database;
  const reports: RecomputeReport[] = [];
  try {
    const ids = agentId !== undefined ? [agentId] : (await pool.query<{ id: string }>('SELECT id FROM registry_agents ORDER BY id')).rows.map((row) => row.id);
    if (agentId !== undefined && (await pool.query('SELECT 1 FROM registry_agents WHERE id = $1', [agentId])).rowCount === 0) throw new CliError(`no agent ${agentId}`);
    const deps = { pool, clock: systemClock, reputation: config.reputation };
    for (const id of ids) reports.push(await recomputeReputation(deps, id, { write: parsed.values.write === true }));
  } finally {
    await opened.database.close();
  }
  process.stdout.write(parsed.values.json ? `${JSON.stringify(reports, null, 2)}\n` : reports.map((report) => `${describe(report)}\n`).join(''));
  const differing = reports.filter((report) => report.differs && !report.written).length;
  if (differing > 0) throw new CliError(`${differing} agent(s) differ from the recomputation (run with --write to fix)`, 1);
  if (!parsed.values.json) process.stdout.write(`${reports.length} agent(s) checked: the stored reputation matches the events\n`);
}
