// Groth16 verification: snarkjs.groth16.verify (the baseline) against our verifier in
// src/modules/zk/groth16 (its native arithmetic where built, else mcl-wasm: the rows say which),
// on the same committed fixture proofs, measured in the same run.
//
//   node bench/verify.ts            (bounded to a few seconds per row)
//
// The last line is `speedup_vs_snarkjs=<x>`: pool throughput with concurrent (batched) calls
// divided by snarkjs throughput when called sequentially in one process after a warm-up. The
// line before it compares CPU time per proof instead (see there).
import { availableParallelism } from 'node:os';
import * as snarkjs from 'snarkjs';
import { loadFixtures, terminateSnarkjsCurve } from '../src/modules/zk/groth16/fixtures/load-fixtures.ts';
import {
  createGroth16VerifierPool,
  initMcl,
  parseStatement,
  parseVerificationKey,
  prepareVerificationKey,
  verifyBatch,
  verifyPrepared,
} from '../src/modules/zk/groth16/index.ts';

const { verificationKey, proofs } = loadFixtures();
const fixtureAt = (i: number) => proofs[i % proofs.length]!;

/** `cpuMs` is process CPU time (all threads, workers included): robust when the machine is shared. */
type Row = { name: string; proofs: number; ms: number; cpuMs: number };
const rows = new Map<string, Row>();

/**
 * Runs `round` (which verifies `perRound` proofs) until `budgetMs` is spent, adding to the
 * row's totals; the first call for a row starts with an untimed warm-up round.
 */
async function measure(name: string, perRound: number, budgetMs: number, round: (i: number) => Promise<void> | void) {
  let row = rows.get(name);
  if (!row) {
    await round(0);
    row = { name, proofs: 0, ms: 0, cpuMs: 0 };
    rows.set(name, row);
  }
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let rounds = 0;
  while (performance.now() - start < budgetMs) await round(++rounds);
  const cpu = process.cpuUsage(cpuStart);
  row.proofs += rounds * perRound;
  row.ms += performance.now() - start;
  row.cpuMs += (cpu.user + cpu.system) / 1000;
  return row;
}

const throughput = (row: Row) => (row.proofs / row.ms) * 1000;

function fail(message: string): never {
  throw new Error(`bench: ${message}`);
}

// Ours, in this thread: single-proof latency and the cost of a batch on one core.
await initMcl();
const parsedKey = parseVerificationKey(verificationKey);
if (!parsedKey.ok) fail(parsedKey.message);
const prepared = prepareVerificationKey(parsedKey.value);
if (!prepared.ok) fail(prepared.message);
const key = prepared.value;
const ours = key.kind === 'native' ? 'native' : 'mcl-wasm';

await measure(`${ours} parse + verifyPrepared, one proof`, 1, 2000, (i) => {
  const { proof, public_signals } = fixtureAt(i);
  const statement = parseStatement(proof, public_signals, key.nPublic);
  if (!statement.ok) fail(statement.message);
  const result = verifyPrepared(key, statement.value.proof, statement.value.publicSignals);
  if (!(result.ok && result.valid)) fail('verifyPrepared rejected a fixture');
});

const BATCH = 32;
const statements = Array.from({ length: BATCH }, (_, i) => {
  const statement = parseStatement(fixtureAt(i).proof, fixtureAt(i).public_signals, key.nPublic);
  return statement.ok ? statement.value : fail(statement.message);
});
await measure(`${ours} verifyBatch of ${BATCH}, one thread`, BATCH, 2000, () => {
  if (!verifyBatch(key, statements).every((result) => result.ok && result.valid)) fail('verifyBatch rejected a fixture');
});
// One proof of the batch checked against another proof's signals: the failed combined check is
// followed by one that locates it (about 2x the CPU of an all-valid batch; bisecting was about
// 3x, checking every proof alone over 4x).
const withOneInvalid = statements.map((statement, i) =>
  i === BATCH / 2 ? { ...statement, publicSignals: statements[i + 1]!.publicSignals } : statement,
);
await measure(`${ours} verifyBatch of ${BATCH}, one invalid, one thread`, BATCH, 2000, () => {
  const results = verifyBatch(key, withOneInvalid);
  if (!results.every((result, i) => result.ok && result.valid === (i !== BATCH / 2))) fail('verifyBatch misjudged a batch with one invalid proof');
});
key.dispose();

// Baseline against the pool, interleaved so both see the same background load on a shared machine.
const snarkjsSequential = () =>
  measure('snarkjs verify, sequential', 1, 1000, async (i) => {
    const { proof, public_signals } = fixtureAt(i);
    if (!(await snarkjs.groth16.verify(verificationKey, public_signals, proof))) fail('snarkjs rejected a fixture');
  });

const size = availableParallelism();
const pool = createGroth16VerifierPool({ size });
const registered = await pool.registerKey('fixture', verificationKey);
if (!registered.ok) fail(registered.message);
const CONCURRENT = 256;
const poolBatched = () =>
  measure(`pool of ${size} workers, ${CONCURRENT} concurrent calls`, CONCURRENT, 1500, async () => {
    const results = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => pool.verify('fixture', fixtureAt(i).proof, fixtureAt(i).public_signals)),
    );
    if (!results.every((result) => result.ok && result.valid)) fail('the pool rejected a fixture');
  });

let baselineRow: Row | undefined;
let poolRow: Row | undefined;
for (let turn = 0; turn < 3; turn++) {
  baselineRow = await snarkjsSequential();
  poolRow = await poolBatched();
}
const stats = pool.stats();
await pool.close();
await terminateSnarkjsCurve();

console.log(`Groth16 verify, BN254, ${verificationKey.nPublic} public signals, ${availableParallelism()} cores`);
const columns = ['proofs', 'ms/proof', 'proofs/s', 'cpu ms/proof'];
console.log(`${'case'.padEnd(48)}${columns.map((column) => column.padStart(13)).join('')}`);
for (const row of rows.values()) {
  const cells = [String(row.proofs), (row.ms / row.proofs).toFixed(2), throughput(row).toFixed(0), (row.cpuMs / row.proofs).toFixed(2)];
  console.log(`${row.name.padEnd(48)}${cells.map((cell) => cell.padStart(13)).join('')}`);
}
console.log(`pool batches: ${stats.batches}, mean size ${(stats.statements / stats.batches).toFixed(1)}, largest ${stats.largestBatch}`);
// CPU time per proof (all threads) is less sensitive to other load on a shared machine than
// throughput; it leaves out how well the pool spreads over the cores.
console.log(`cpu_time_ratio_vs_snarkjs=${((baselineRow!.cpuMs / baselineRow!.proofs) / (poolRow!.cpuMs / poolRow!.proofs)).toFixed(1)}`);
console.log(`speedup_vs_snarkjs=${(throughput(poolRow!) / throughput(baselineRow!)).toFixed(1)}`);
