import type { Config } from '#src/config.ts';
import { systemClock } from '#platform/clock.ts';
import { openExistingDatabase } from '#platform/db/database.ts';
import { createLogger } from '#platform/logger.ts';
import { checkWorkHistoryCar, type CheckedRecord } from '#modules/agents/check-work-history-car.ts';
import { generateControllerKey, readControllerKey, signOwnershipMessage, SOLANA_MAINNET_REF, type ControllerKey } from '#modules/agents/controller-key.ts';
import { recomputeReputation, type RecomputeReport } from '#modules/agents/recompute-reputation.ts';
import { signEvmPayment } from '#modules/x402/sign-evm-payment.ts';
import { CliError, usageError } from './cli-error.ts';
import { readInputFile, readJsonFile, writeOutputFile } from './files.ts';
import { noDataError } from './no-data-error.ts';
import { parseOptions } from './parse-options.ts';

export const REGISTRY_HELP = `Usage: veridity registry <command> [options]

The agent registry from the command line. keygen, sign, pay and check-car work offline (no
server, no database, no configuration); recompute-reputation works on the database.

Commands:
  keygen --chain evm|solana --out <file>    a controller key (file mode 0600); prints its did:pkh
  sign --key <file> (--message-file <file> | --message <text> | --message -)
                                            sign an ownership challenge; prints the signature
  pay --key <file> --requirements <file> [--version 1|2]
                                            an x402 payment (EVM exact); prints the header value
  check-car <file.car>                      check an exported work history: CIDs and chain
  recompute-reputation [--agent agr_...] [--write] [--json]
                                            recompute reputations from the events; report or fix differences

Run 'veridity registry <command> --help' for a command's options.`;

const KEYGEN_HELP = `Usage: veridity registry keygen --chain evm|solana --out <file>

Generates a controller key on this machine (nothing is sent anywhere) and writes it to <file>
(mode 0600) as JSON {chain, controller, private_key}; prints the controller, the did:pkh to
register an agent with: did:pkh:eip155:1:<address> (EVM, secp256k1) or
did:pkh:solana:${SOLANA_MAINNET_REF}:<base58 key> (Solana, Ed25519). The key signs the same on any chain
of its kind: edit the DID's chain reference in the file to use another.`;

const SIGN_HELP = `Usage: veridity registry sign --key <file> (--message-file <file> | --message <text> | --message -)

Signs a registry ownership challenge (the "message" of POST /api/v1/agents/challenge) with a
controller key from 'veridity registry keygen' and prints the signature as ownership_proof.signature
takes it: base58 Ed25519 over the message's UTF-8 bytes (Solana), 0x-hex EIP-191 personal_sign (EVM).
--message - reads the message from standard input. One trailing newline (as echo or an editor adds)
is dropped: challenge messages never end with one.`;

const PAY_HELP = `Usage: veridity registry pay --key <file> --requirements <file> [--version 1|2]

Makes an x402 "exact" payment on an EVM network as a client wallet does: an EIP-3009
transferWithAuthorization of the required amount to payTo, signed (EIP-712) with an EVM key from
'veridity registry keygen', valid for the requirements' maxTimeoutSeconds. Prints the header value
(base64 JSON): X-PAYMENT (v1) or PAYMENT-SIGNATURE (v2), or "payment" of POST /api/v1/x402/settle.
Nothing is sent, nothing moves on chain until a facilitator settles it.

  --requirements <file>  PaymentRequirements (JSON; network, asset, payTo, amount, extra.name and
                         extra.version of the token), or a 402 answer's body (its first "accepts")
  --version 1|2          the x402 version; default: 1 when the requirements carry maxAmountRequired, else 2`;

const CHECK_CAR_HELP = `Usage: veridity registry check-car <file.car>

Checks an agent's work history (GET /api/v1/agents/{id}/work-history.car) offline: reads the CAR,
recomputes every block's CID from its bytes, walks the chain from the root (the newest record)
through "prev" to the first record, and prints each record. Exit 1 on any mismatch: a block whose
bytes do not hash to its CID, a missing or foreign block, a gap in the sequence.`;

const RECOMPUTE_HELP = `Usage: veridity registry recompute-reputation [--agent agr_...] [--write] [--json]

Recomputes registry agents' reputation from the stored events alone (work records, validations,
feedback, x402 settlements; docs/reputation.md) and compares it with the numbers maintained
incrementally on every event. Reports each agent whose numbers differ (beyond float rounding, 1e-9).

Options:
  --agent <id>  only this agent (default: every agent)
  --write       replace differing numbers with the recomputed ones (items, sums, score, today's history)
  --json        print the reports as JSON

Exit: 0 when every agent matches (or was fixed with --write); 1 when some differ without --write.`;

const HELPS: Record<string, string> = {
  keygen: KEYGEN_HELP, sign: SIGN_HELP, pay: PAY_HELP, 'check-car': CHECK_CAR_HELP, 'recompute-reputation': RECOMPUTE_HELP,
};

async function readKey(file: string | undefined, usage: string): Promise<ControllerKey> {
  if (file === undefined) throw usageError('--key is required (a file from veridity registry keygen)', usage);
  const read = readControllerKey(await readJsonFile(file, '--key'));
  if (!read.ok) throw new CliError(`--key ${file}: ${read.message}`);
  return read.value;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function keygen(argv: string[]): Promise<void> {
  const { values } = parseOptions({ args: argv, options: { chain: { type: 'string' }, out: { type: 'string' } } }, KEYGEN_HELP);
  if (values.chain !== 'evm' && values.chain !== 'solana') throw usageError('--chain: expected evm or solana', KEYGEN_HELP);
  if (values.out === undefined) throw usageError('--out is required (the key file to write)', KEYGEN_HELP);
  const key = generateControllerKey(values.chain);
  await writeOutputFile(values.out, `${JSON.stringify(key, null, 2)}\n`);
  console.log(key.controller);
}

async function sign(argv: string[]): Promise<void> {
  const { values } = parseOptions({ args: argv, options: { key: { type: 'string' }, message: { type: 'string' }, 'message-file': { type: 'string' } } }, SIGN_HELP);
  if ((values.message === undefined) === (values['message-file'] === undefined)) throw usageError('give the message: --message-file <file>, --message <text> or --message - (standard input)', SIGN_HELP);
  const key = await readKey(values.key, SIGN_HELP);
  const text = values['message-file'] !== undefined
    ? (await readInputFile(values['message-file'], '--message-file')).toString('utf8')
    : values.message === '-' ? await readStdin() : values.message!;
  const message = text.replace(/\r?\n$/, '');
  if (message === '') throw new CliError('the message is empty');
  console.log(await signOwnershipMessage(key, message));
}

async function pay(argv: string[]): Promise<void> {
  const { values } = parseOptions({ args: argv, options: { key: { type: 'string' }, requirements: { type: 'string' }, version: { type: 'string' } } }, PAY_HELP);
  if (values.version !== undefined && values.version !== '1' && values.version !== '2') throw usageError('--version: expected 1 or 2', PAY_HELP);
  const key = await readKey(values.key, PAY_HELP);
  if (key.chain !== 'evm') throw new CliError(`--key ${values.key}: a ${key.chain} key; this command pays on EVM networks only (a Solana payment is a transaction the facilitator co-signs)`);
  if (values.requirements === undefined) throw usageError('--requirements is required (a PaymentRequirements JSON file)', PAY_HELP);
  const read = (await readJsonFile(values.requirements, '--requirements')) as Record<string, unknown> | null;
  const requirements = Array.isArray(read?.accepts) ? (read.accepts as unknown[])[0] : read;
  const version = values.version !== undefined ? (Number(values.version) as 1 | 2)
    : typeof requirements === 'object' && requirements !== null && 'maxAmountRequired' in requirements ? 1 : 2;
  const signed = await signEvmPayment({ privateKey: `0x${Buffer.from(key.secret).toString('hex')}`, requirements, version, now: new Date() });
  if (!signed.ok) throw new CliError(`--requirements ${values.requirements}: ${signed.reason}: ${signed.message}`);
  console.log(signed.value.header);
}

function describeRecord({ cid, block }: CheckedRecord): string {
  const evidence = (block.evidence ?? {}) as Record<string, unknown>;
  return `  #${String(block.seq)} ${cid} ${String(block.work)} ${String(block.outcome)} ${String(evidence.kind)} ${String(evidence.ledger_kind)}:${String(evidence.ledger_id)} recorded ${String(block.recorded_at)}`;
}

async function checkCar(argv: string[]): Promise<void> {
  const { positionals } = parseOptions({ args: argv, allowPositionals: true, options: {} }, CHECK_CAR_HELP);
  if (positionals.length !== 1) throw usageError('give one CAR file', CHECK_CAR_HELP);
  const file = positionals[0]!;
  const checked = await checkWorkHistoryCar(await readInputFile(file, 'check-car'));
  const records = checked.ok ? checked.value.records : checked.records;
  if (!checked.ok) {
    process.stdout.write(records.map((record) => `${describeRecord(record)}\n`).join(''));
    throw new CliError(`${file}: INVALID: ${checked.code}: ${checked.message}`, 1);
  }
  console.log(`${file}: OK: root ${checked.value.root}, ${records.length} record(s) of ${String(records[0]!.block.agent)}, every CID recomputed, the chain complete`);
  process.stdout.write(records.map((record) => `${describeRecord(record)}\n`).join(''));
}

function describe(report: RecomputeReport): string {
  const score = (value: number | null) => (value === null ? 'none' : value.toFixed(6));
  const state = report.written ? 'FIXED' : report.differs ? 'DIFFERS' : 'ok';
  return `${report.agentId} ${state}: stored score ${score(report.stored.score)} confidence ${report.stored.confidence.toFixed(6)}, ` +
    `recomputed score ${score(report.recomputed.score)} confidence ${report.recomputed.confidence.toFixed(6)}` +
    (report.differs ? ` (items differing ${report.itemsDiffering}, largest difference ${report.largestDifference})` : '');
}

async function recompute(config: Config, argv: string[]): Promise<void> {
  const parsed = parseOptions({ args: argv, allowPositionals: false, options: { agent: { type: 'string' }, write: { type: 'boolean' }, json: { type: 'boolean' } } }, RECOMPUTE_HELP);
  const agentId = parsed.values.agent;
  if (agentId !== undefined && !/^agr_[A-Za-z0-9]{1,60}$/.test(agentId)) throw usageError('--agent: not an agent id (agr_...)', RECOMPUTE_HELP);
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

/** `veridity registry ...`: the agent registry's one command (`config` is read only by the command that needs the database). */
export async function registry(argv: string[], config: () => Config): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') return console.log(REGISTRY_HELP);
  const help = HELPS[command];
  if (!help) throw usageError(`unknown registry command '${command}'`, REGISTRY_HELP);
  if (rest.includes('--help') || rest.includes('-h')) return console.log(help);
  switch (command) {
    case 'keygen': return keygen(rest);
    case 'sign': return sign(rest);
    case 'pay': return pay(rest);
    case 'check-car': return checkCar(rest);
    default: return recompute(config(), rest);
  }
}
