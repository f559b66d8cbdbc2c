/**
 * The README's console sign-in walkthrough, run as written (curl's cookie jar standing in for a
 * browser) against the API on a real port: only its settings (server URL, admin token) filled in.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { cleanEnv, ROOT, runShell } from './support/processes.ts';
import { fillIn, readmeWalkthrough } from './support/readme-walkthrough.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

const missingCurl = spawnSync('sh', ['-c', 'command -v curl']).status !== 0;
let t: TestApp;
before(async () => {
  t = await createTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => t.close());

test("the README's console walkthrough runs as written: sign in by cookie, CSRF refused then accepted, refresh, sign out", { skip: missingCurl && 'curl is not installed' }, async () => {
  const { port } = t.app.server.address() as { port: number };
  const script = fillIn(await readmeWalkthrough('console-walkthrough'), { VERIDITY_URL: `http://127.0.0.1:${port}`, TOKEN: t.adminToken });
  const run = await runShell(script, { env: cleanEnv({}), cwd: ROOT });
  assert.equal(run.code, 0, `${run.stdout}\n--- stderr ---\n${run.stderr}`);
  assert.deepEqual(run.stdout.trim().split('\n'), ['200', '403', '201', '204', '401'], run.stdout);
  const { rows } = await t.database.pool.query<{ revoked_reason: string }>('SELECT revoked_reason FROM console_sessions');
  assert.deepEqual(rows, [{ revoked_reason: 'signed_out' }]);
});
