/**
 * `veridity serve` on the embedded default (no DATABASE_URL) runs the global manager in its own
 * process: it leads, its cycles run every task and succeed, its metrics are on the API's /metrics.
 * GLOBAL_MANAGER_EMBEDDED=false on the same data folder serves without it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { globalManagerTasks } from '#src/global-manager-tasks.ts';
import { cleanEnv, freePort, startProcess, waitFor, type Running } from './support/processes.ts';

const dataDir = await mkdtemp(path.join(tmpdir(), 'veridity-embedded-gm-'));
const running: Running[] = [];
after(async () => {
  for (const server of running) if (server.child.exitCode === null) server.child.kill('SIGTERM');
  await Promise.all(running.map((server) => server.exited));
  await rm(dataDir, { recursive: true, force: true });
});

const adminToken = `vat_${randomBytes(32).toString('base64url')}`;

type Status = { leader: string | null; cycles: Array<{ runner: string; outcome: string; tasks: Array<{ task: string; outcome: string }> }> };

async function serve(extra: Record<string, string>): Promise<{ server: Running; base: string; runner: string; status(): Promise<Status> }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = startProcess(['serve'], cleanEnv({ VERIDITY_DATA_DIR: dataDir, PORT: String(port), VERIDITY_ADMIN_TOKEN: adminToken, VERIFIER_THREADS: '1', GLOBAL_MANAGER_INTERVAL_SECONDS: '1', ...extra }));
  running.push(server);
  await waitFor(async () => (await fetch(`${base}/readyz`)).ok && server.stdout().includes('"msg":"Veridity is serving"'), 90_000, `serve\n${server.output()}`);
  // The lock connection's application_name (leader-lock.ts): the leading process's host and pid (bin/veridity execs node).
  const runner = `veridity-global-manager:${hostname()}:${server.child.pid}`.slice(0, 63);
  const status = async () => {
    const response = await fetch(`${base}/api/admin/global-manager`, { headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal(response.status, 200);
    return (await response.json()) as Status;
  };
  return { server, base, runner, status };
}

const servingLine = (output: string) => JSON.parse(output.split('\n').find((line) => line.includes('"msg":"Veridity is serving"'))!) as { global_manager: boolean; embedded_database: boolean };

test('serve runs the global manager in-process on the embedded default; GLOBAL_MANAGER_EMBEDDED=false turns it off', { timeout: 240_000 }, async () => {
  const on = await serve({});
  const serving = servingLine(on.server.stdout());
  assert.equal(serving.embedded_database, true);
  assert.equal(serving.global_manager, true);
  const taskNames = globalManagerTasks({ runsKeepDays: 30, billingCurrency: 'EUR', invoiceGraceMinutes: 15 }).map((task) => task.name);
  const succeeded = async () => (await on.status()).cycles.filter((cycle) => cycle.runner === on.runner && cycle.outcome === 'succeeded');
  await waitFor(async () => (await succeeded()).length >= 2, 60_000, `two succeeded cycles of serve's global manager\n${on.server.output()}`);
  for (const cycle of await succeeded()) assert.deepEqual(cycle.tasks.map((task) => [task.task, task.outcome]), taskNames.map((name) => [name, 'succeeded']));
  assert.equal((await on.status()).leader, on.runner, 'serve holds the leader lock');
  const metrics = await (await fetch(`${on.base}/metrics`)).text();
  assert.match(metrics, /veridity_global_manager_is_leader 1/);
  assert.match(metrics, /veridity_global_manager_task_runs_total\{task="aggregate-usage",outcome="succeeded"\} [1-9]/);
  on.server.child.kill('SIGTERM');
  assert.equal(await on.server.exited, 0, on.server.output());

  const off = await serve({ GLOBAL_MANAGER_EMBEDDED: 'false' });
  assert.equal(servingLine(off.server.stdout()).global_manager, false);
  // Its metrics are registered when it starts: none means it never did.
  assert.doesNotMatch(await (await fetch(`${off.base}/metrics`)).text(), /veridity_global_manager_/);
  const status = await off.status();
  assert.equal(status.leader, null, 'nobody holds the lock');
  assert.ok(status.cycles.length >= 2, 'the first run\'s cycles are still listed');
  assert.equal(status.cycles.filter((cycle) => cycle.runner === off.runner).length, 0, 'no cycle of this serve');
});
