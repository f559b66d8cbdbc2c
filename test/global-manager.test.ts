/**
 * The global manager as operators run it: real `veridity global-manager` processes on a real
 * PostgreSQL. One leads (the advisory lock), the other stands by and takes over when the leader is
 * killed (-9); the gateway vault it publishes verifies against the published JWKS and loses a
 * disabled partner; a cycle killed during the vault task and rerun publishes the same content;
 * SIGTERM in the middle of usage aggregation lets that task finish and starts no other.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compactVerify, importJWK, type JWK } from 'jose';
import pg from 'pg';
import { inTransaction } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import { aggregateUsage } from '#modules/metering/aggregate-usage.ts';
import { recordUsages, type UsageEvent } from '#modules/metering/record-usage.ts';
import { cleanEnv, freePort, startProcess, waitFor, type Running } from './support/processes.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

const encryptionKey = randomBytes(32);
let t: TestApp;
let dataDir: string;
const processes: Running[] = [];

before(async () => {
  t = await createTestApp({ encryptionKey });
  dataDir = await mkdtemp(path.join(tmpdir(), 'veridity-global-manager-'));
});
after(async () => {
  for (const running of processes) if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
  await Promise.all(processes.map((running) => running.exited));
  await t.close();
  await rm(dataDir, { recursive: true, force: true });
});

type Manager = { running: Running; base: string };

async function startManager(): Promise<Manager> {
  const port = await freePort();
  const running = startProcess(['global-manager'], cleanEnv({
    DATABASE_URL: t.database.url,
    VERIDITY_ENCRYPTION_KEY: encryptionKey.toString('hex'),
    VERIDITY_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    GLOBAL_MANAGER_INTERVAL_SECONDS: '1',
    GLOBAL_MANAGER_STANDBY_POLL_SECONDS: '1',
    GLOBAL_MANAGER_ADMIN_PORT: String(port),
  }));
  processes.push(running);
  await waitFor(async () => running.output().includes('"msg":"global manager started"'), 30_000, `global manager start\n${running.output()}`);
  return { running, base: `http://127.0.0.1:${port}` };
}

async function status(manager: Manager): Promise<Record<string, any>> {
  return (await fetch(`${manager.base}/status.json`)).json();
}

async function latestVault(): Promise<{ version: number; jws: string; payload: Record<string, any> }> {
  const response = await t.admin('GET', '/api/admin/vault');
  assert.equal(response.statusCode, 200, response.body);
  const vault = response.json();
  const jwks = (await t.app.inject({ method: 'GET', url: '/api/v1/gateway-vault/jwks.json' })).json() as { keys: Array<JWK & { kid: string }> };
  const header = JSON.parse(Buffer.from(vault.jws.split('.')[0], 'base64url').toString());
  assert.equal(header.typ, 'gateway-vault+jws');
  const jwk = jwks.keys.find((key) => key.kid === header.kid);
  assert.ok(jwk, 'the vault is signed by a key of the published JWKS');
  const { payload } = await compactVerify(vault.jws, await importJWK(jwk, 'EdDSA'));
  const parsed = JSON.parse(Buffer.from(payload).toString());
  assert.equal(parsed.version, vault.version);
  return { version: vault.version, jws: vault.jws, payload: parsed };
}

const objectText = (key: string) => readFile(path.join(dataDir, 'objects', key), 'utf8');

async function succeededVaultRuns(runner?: string): Promise<number> {
  const { rows } = await t.database.pool.query(
    `SELECT count(*)::int AS n FROM global_manager_runs WHERE task = 'gateway-vault' AND outcome = 'succeeded' AND ($1::text IS NULL OR runner = $1)`,
    [runner ?? null],
  );
  return rows[0].n;
}

test('one leader, a hot standby that takes over after kill -9; the vault verifies, drops a disabled partner; SIGTERM exits cleanly', async () => {
  const kept = await createPartner(t, { name: 'Kept', scopes: ['age_over_18', 'evidence'], rate_limit_per_minute: 120 });
  const disabled = await createPartner(t, { name: 'Disabled' });

  const managers = [await startManager(), await startManager()];
  await waitFor(async () => (await Promise.all(managers.map(status))).some((s) => s.this_process.is_leader), 30_000, 'a leader');
  const statuses = await Promise.all(managers.map(status));
  assert.equal(statuses.filter((s) => s.this_process.is_leader).length, 1, 'exactly one leader');
  const leaderIndex = statuses.findIndex((s) => s.this_process.is_leader);
  const leader = managers[leaderIndex]!;
  const standby = managers[1 - leaderIndex]!;
  assert.equal(statuses[leaderIndex]!.leader, statuses[leaderIndex]!.this_process.runner, 'the database names the leader');
  assert.equal(statuses[1 - leaderIndex]!.leader, statuses[leaderIndex]!.this_process.runner, 'the standby sees who leads');

  await waitFor(async () => (await succeededVaultRuns()) > 0, 30_000, 'a vault run');
  const first = await latestVault();
  const entry = first.payload.partners.find((p: any) => p.client_id === kept.id);
  assert.deepEqual(entry, {
    client_id: kept.id,
    api_key_sha256: createHash('sha256').update(kept.api_key).digest('hex'),
    api_key_sha256s: [createHash('sha256').update(kept.api_key).digest('hex')],
    scopes: ['age_over_18', 'evidence'],
    rate_limit_per_minute: 120,
    plan: null,
    over_cap: false,
  });
  assert.ok(first.payload.partners.some((p: any) => p.client_id === disabled.id));
  await waitFor(async () => (await objectText('vault/latest.jws').catch(() => '')) === first.jws, 10_000, 'vault/latest.jws');
  assert.equal(await objectText(`vault/${first.version}.jws`), first.jws);

  // An unchanged database: later cycles keep the version.
  const runs = await succeededVaultRuns();
  await waitFor(async () => (await succeededVaultRuns()) > runs, 30_000, 'another vault run');
  assert.equal((await latestVault()).version, first.version);

  assert.equal((await t.admin('DELETE', `/api/admin/clients/${disabled.id}`)).statusCode, 200);
  await waitFor(async () => (await latestVault()).version > first.version, 30_000, 'a new vault version');
  const second = await latestVault();
  assert.equal(second.version, first.version + 1);
  assert.ok(!second.payload.partners.some((p: any) => p.client_id === disabled.id), 'a disabled key disappears from the next vault');
  assert.ok(second.payload.partners.some((p: any) => p.client_id === kept.id));

  // The page, the metrics.
  const page = await (await fetch(`${leader.base}/`)).text();
  assert.match(page, /gateway-vault/);
  const metrics = await (await fetch(`${leader.base}/metrics`)).text();
  assert.match(metrics, /veridity_global_manager_is_leader 1/);
  assert.match(metrics, /veridity_global_manager_task_runs_total\{task="gateway-vault",outcome="succeeded"\} [1-9]/);
  assert.match(await (await fetch(`${standby.base}/metrics`)).text(), /veridity_global_manager_is_leader 0/);

  leader.running.child.kill('SIGKILL');
  await leader.running.exited;
  // The bound: the server sees the connection gone at once (same host), the standby polls every second.
  await waitFor(async () => (await status(standby)).this_process.is_leader, 15_000, 'the standby taking over');
  const newRunner = (await status(standby)).this_process.runner;
  await waitFor(async () => (await succeededVaultRuns(newRunner)) > 0, 30_000, 'a cycle of the new leader');
  const { rows: running } = await t.database.pool.query("SELECT count(*)::int AS n FROM global_manager_runs WHERE outcome = 'running' AND runner <> $1", [newRunner]);
  assert.equal(running[0].n, 0, 'the dead leader\'s runs are marked interrupted');

  const api = (await t.admin('GET', '/api/admin/global-manager')).json();
  assert.equal(api.leader, newRunner);
  assert.ok(api.lag_seconds !== null && api.cycles.length > 0);

  standby.running.child.kill('SIGTERM');
  assert.equal(await standby.running.exited, 0);
  const after = (await t.admin('GET', '/api/admin/global-manager')).json();
  assert.equal(after.leader, null, 'the lock is released');
  const { rows: unfinished } = await t.database.pool.query("SELECT count(*)::int AS n FROM global_manager_runs WHERE runner = $1 AND outcome IN ('running', 'interrupted', 'failed')", [newRunner]);
  assert.equal(unfinished[0].n, 0, 'SIGTERM lets the task in progress finish');
});

test('a cycle killed during the vault task and rerun publishes the same content', async () => {
  // Enough partners that the vault task takes a while; wherever the kill lands, the rerun must agree with the database.
  const now = new Date();
  await t.database.pool.query(
    `WITH bulk AS (
       INSERT INTO api_clients (id, name, scopes, rate_limit_per_minute, created_at, updated_at)
       SELECT ids.id, 'bulk', ARRAY['age_over_18'], 60, $2, $2 FROM unnest($1::text[]) AS ids(id) RETURNING id)
     INSERT INTO api_keys (id, client_id, name, key_hash, key_prefix, created_at)
     SELECT 'key_' || substr(id, 5), id, 'bulk', sha256(convert_to(id, 'UTF8')), 'vk_bulk', $2 FROM bulk`,
    [Array.from({ length: 5000 }, () => newId('cli')), now],
  );
  const before = await succeededVaultRuns();
  const manager = await startManager();
  await waitFor(async () => {
    const { rows } = await t.database.pool.query("SELECT count(*)::int AS n FROM global_manager_runs WHERE task = 'gateway-vault' AND outcome = 'running'");
    return rows[0].n > 0 || (await succeededVaultRuns()) > before;
  }, 30_000, 'the vault task started');
  manager.running.child.kill('SIGKILL');
  await manager.running.exited;

  const rerun = await startManager();
  await waitFor(async () => (await succeededVaultRuns((await status(rerun)).this_process.runner)) > 0, 60_000, 'the rerun\'s vault');
  const vault = await latestVault();
  const { rows } = await t.database.pool.query("SELECT c.id, encode(k.key_hash, 'hex') AS hash FROM api_clients c JOIN api_keys k ON k.client_id = c.id WHERE c.disabled_at IS NULL ORDER BY c.id");
  assert.deepEqual(vault.payload.partners.map((p: any) => [p.client_id, p.api_key_sha256]), rows.map((row) => [row.id, row.hash]));
  assert.equal(await objectText('vault/latest.jws'), vault.jws);
  const { rows: versions } = await t.database.pool.query('SELECT count(*)::int AS n FROM gateway_vaults WHERE content_sha256 = (SELECT content_sha256 FROM gateway_vaults ORDER BY version DESC LIMIT 1)');
  assert.equal(versions[0].n, 1, 'one version for one content, however the kill fell');
  rerun.running.child.kill('SIGTERM');
  assert.equal(await rerun.running.exited, 0);
});

test('SIGTERM in the middle of a task: the task finishes (every event aggregated once), the rest of the cycle is skipped, exit 0', async () => {
  const partner = await createPartner(t, { name: 'Metered' });
  const hourOf = (hoursAgo: number) => new Date((Math.floor(Date.now() / 3_600_000) - hoursAgo) * 3_600_000);
  const [hourA, hourB] = [hourOf(3), hourOf(2)];
  const events = (at: Date, count: number): UsageEvent[] =>
    Array.from({ length: count }, (_, i) => ({ clientId: partner.id, kind: 'zk.verify', claimType: 'age_over_18', outcome: 'verified', subjectId: newId('prf'), at: new Date(at.getTime() + (i % 3_600) * 1000) }));
  // An earlier cycle aggregated one event of hour B: its usage_records row exists.
  await inTransaction(t.database.pool, (tx) => recordUsages(tx, events(hourB, 1)));
  await aggregateUsage(t.database, { now: new Date() });
  // The backlog, in id order: two full batches (5000 each) of hour A, then a batch of hour B.
  await inTransaction(t.database.pool, (tx) => recordUsages(tx, events(hourA, 10_000)));
  await inTransaction(t.database.pool, (tx) => recordUsages(tx, events(hourB, 5_000)));

  // Hour B's row locked by another transaction: the task commits the two batches of hour A, then
  // waits in its third batch, in the middle of the task, for as long as this test holds the lock.
  const blocker = new pg.Client({ connectionString: t.database.url });
  await blocker.connect();
  try {
    await blocker.query('BEGIN');
    const locked = await blocker.query("SELECT 1 FROM usage_records WHERE client_id = $1 AND window_start = $2 FOR UPDATE", [partner.id, hourB]);
    assert.equal(locked.rowCount, 1);
    const manager = await startManager();
    const aggregated = async () => (await t.database.pool.query("SELECT count(*)::int AS n FROM usage_events WHERE aggregated_at IS NOT NULL AND client_id = $1", [partner.id])).rows[0].n as number;
    await waitFor(async () => {
      const { rows } = await t.database.pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%usage_records%'");
      return rows[0].n > 0 && (await aggregated()) === 10_001;
    }, 30_000, `the aggregation waiting in its third batch\n${manager.running.output()}`);
    const runner = (await status(manager)).this_process.runner as string;

    manager.running.child.kill('SIGTERM');
    await waitFor(async () => manager.running.output().includes('shutting down the global manager'), 10_000, 'the signal handled');
    assert.equal(manager.running.child.exitCode, null, 'the process waits for its task');
    await blocker.query('COMMIT');
    assert.equal(await manager.running.exited, 0, manager.running.output());

    const { rows: runs } = await t.database.pool.query('SELECT cycle_id, task, position, outcome, counts, error FROM global_manager_runs WHERE runner = $1 ORDER BY position', [runner]);
    assert.equal(new Set(runs.map((run) => run.cycle_id)).size, 1, 'one cycle, no other started');
    assert.deepEqual(runs[0], { cycle_id: runs[0].cycle_id, task: 'aggregate-usage', position: 0, outcome: 'succeeded', counts: { events: 15_000, batches: 3 }, error: null });
    assert.ok(runs.length > 1);
    for (const run of runs.slice(1)) assert.deepEqual([run.outcome, run.error], ['skipped', 'the process was stopping'], `${run.task} did not start`);
  } finally {
    await blocker.end();
  }
  const { rows: [totals] } = await t.database.pool.query(
    `SELECT (SELECT count(*) FROM usage_events WHERE aggregated_at IS NULL)::int AS pending,
            (SELECT count(*) FROM usage_events)::int AS events, (SELECT sum(events) FROM usage_records)::int AS recorded,
            (SELECT sum(quantity) FROM usage_events)::int AS quantity, (SELECT sum(quantity) FROM usage_records)::int AS recorded_quantity`,
  );
  assert.equal(totals.pending, 0, 'every event aggregated');
  assert.equal(totals.recorded, totals.events, 'each event counted once');
  assert.equal(totals.recorded_quantity, totals.quantity);
  const { rows: hours } = await t.database.pool.query('SELECT window_start, events::int FROM usage_records WHERE client_id = $1 ORDER BY window_start', [partner.id]);
  assert.deepEqual(hours, [{ window_start: hourA, events: 10_000 }, { window_start: hourB, events: 5_001 }]);
});
