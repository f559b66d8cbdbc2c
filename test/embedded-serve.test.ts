import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { cleanEnv, freePort, runToEnd, startProcess, waitFor, type Running } from './support/processes.ts';

/** Every file below `dir`, read as bytes (including PostgreSQL's own data files). */
async function everyFile(dir: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(await readFile(path.join(entry.parentPath, entry.name)).catch(() => Buffer.alloc(0)));
  }
  return out;
}

const dataDir = await mkdtemp(path.join(tmpdir(), 'veridity-serve-'));
after(async () => rm(dataDir, { recursive: true, force: true }));

const embeddedPort = (output: string) => Number(/embedded PostgreSQL 17 on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]);

test('a new user: one command serves on the embedded database; data survives a restart; secrets stay out of disk and logs', { timeout: 240_000 }, async () => {
  const port = await freePort();
  // No VERIDITY_EMBEDDED_PG_PORT: the embedded PostgreSQL picks a free port and records it.
  const env = cleanEnv({ VERIDITY_DATA_DIR: dataDir, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  const start = async (serveEnv = env, url = base): Promise<Running> => {
    const running = startProcess(['serve'], serveEnv);
    await waitFor(async () => (await fetch(`${url}/healthz`)).ok && running.stdout().includes('Veridity is serving on') && running.stdout().includes('"msg":"Veridity is serving"'), 60_000, `serve on ${url}\n${running.output()}`);
    return running;
  };
  const stop = async (running: Running) => {
    running.child.kill('SIGTERM');
    assert.equal(await running.exited, 0, `clean exit on SIGTERM\n${running.output()}`);
  };

  const first = await start();
  assert.equal((await fetch(`${base}/readyz`)).status, 200);
  // bin/veridity gives the long-running roles an old-generation limit (V8 then grows the heap by less between collections).
  assert.ok(readFileSync(`/proc/${first.child.pid}/cmdline`, 'utf8').split('\0').includes('--max-old-space-size=768'), 'serve runs with the default heap limit');
  const adminToken = /vat_[A-Za-z0-9_-]{43}/.exec(first.output())?.[0];
  assert.ok(adminToken, 'the admin token is printed once at first start');
  // The banner, for people: URLs, where data lives, the database, the token (JSON logs unchanged).
  const banner = first.stdout().slice(first.stdout().indexOf('  Veridity is serving on'));
  for (const url of [`${base}/api/v1`, `${base}/console/`, `${base}/docs`, `${base}/prove`]) assert.ok(banner.includes(url), `banner names ${url}:\n${banner}`);
  assert.match(banner, new RegExp(`data\\s+${dataDir}`));
  assert.match(banner, /database\s+embedded PostgreSQL 17 on 127\.0\.0\.1:\d+/);
  assert.ok(banner.includes(adminToken), 'the admin token is in the banner');
  assert.match(first.stdout(), /"msg":"Veridity is serving"/, 'the JSON log line stays');
  assert.doesNotMatch(first.output(), /ExperimentalWarning/);
  const pgPort = embeddedPort(first.stdout());
  assert.equal(Number(await readFile(path.join(dataDir, 'postgres.port'), 'utf8')), pgPort, 'the port is recorded in the data dir');

  const created = await fetch(`${base}/api/admin/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Laptop Bank', scopes: ['age_over_18'], webhook_url: 'https://bank.example/hook' }),
  });
  assert.equal(created.status, 201);
  const client = (await created.json()) as { id: string; api_key: string; webhook_secret: string };
  const me = await fetch(`${base}/api/v1/me`, { headers: { 'x-api-key': client.api_key } });
  assert.equal(me.status, 200);
  const spec = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
  assert.equal(spec.openapi, '3.1.0');
  assert.ok(spec.paths['/api/admin/clients']);
  await stop(first);

  // A second server on another data dir at the same time, with no port settings either.
  const otherDir = await mkdtemp(path.join(tmpdir(), 'veridity-serve-other-'));
  const otherPort = await freePort();
  const [second, other] = await Promise.all([start(), start(cleanEnv({ VERIDITY_DATA_DIR: otherDir, PORT: String(otherPort) }), `http://127.0.0.1:${otherPort}`)]);
  assert.equal(embeddedPort(second.stdout()), pgPort, 'the recorded port is reused');
  assert.notEqual(embeddedPort(other.stdout()), pgPort);
  assert.equal((await fetch(`http://127.0.0.1:${otherPort}/readyz`)).status, 200);
  await stop(other);
  await rm(otherDir, { recursive: true, force: true });

  // While the server runs, the operator CLI shares its embedded PostgreSQL.
  const listedWhileRunning = await runToEnd(['admin', 'list-clients'], env);
  assert.equal(listedWhileRunning.code, 0, listedWhileRunning.output);
  assert.ok((JSON.parse(listedWhileRunning.stdout) as { id: string }[]).some((c) => c.id === client.id));
  assert.equal(/vat_[A-Za-z0-9_-]{43}/.test(second.output()), false, 'no second admin token on restart');
  assert.equal((await fetch(`${base}/api/v1/me`, { headers: { 'x-api-key': client.api_key } })).status, 200, 'the key survives a restart');
  const listed = (await (await fetch(`${base}/api/admin/clients`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { id: string }[];
  assert.ok(listed.some((c) => c.id === client.id));
  await stop(second);

  for (const secret of [client.api_key, client.webhook_secret, adminToken]) {
    const needle = Buffer.from(secret);
    const files = await everyFile(dataDir);
    assert.ok(files.length > 100, 'the data dir holds the database');
    assert.equal(files.some((bytes) => bytes.includes(needle)), false, 'a secret was written to the data dir');
  }
  const logs = first.output().replace(adminToken, '') + second.output();
  assert.equal(logs.includes(client.api_key), false, 'API key in the logs');
  assert.equal(logs.includes(client.webhook_secret), false, 'webhook secret in the logs');

  // With the server stopped, the operator CLI works on the same data dir.
  const cliEnv = { ...env };
  const listedByCli = await runToEnd(['admin', 'list-clients'], cliEnv);
  assert.equal(listedByCli.code, 0, listedByCli.output);
  assert.ok((JSON.parse(listedByCli.stdout) as { id: string }[]).some((c) => c.id === client.id));
  const madeByCli = await runToEnd(['admin', 'create-client', '--name', 'CLI Partner', '--scopes', 'citizenship,education'], cliEnv);
  assert.equal(madeByCli.code, 0, madeByCli.output);
  const parsed = JSON.parse(madeByCli.stdout) as { id: string; api_key: string; scopes: string[] };
  assert.deepEqual(parsed.scopes, ['citizenship', 'education']);
  const disabled = await runToEnd(['admin', 'disable-client', parsed.id], cliEnv);
  assert.equal(disabled.code, 0, disabled.output);
  assert.ok((JSON.parse(disabled.stdout) as { disabled_at: string | null }).disabled_at);
});

test('bad configuration stops start-up naming every bad variable', async () => {
  const result = await runToEnd(['serve'], cleanEnv({ PORT: 'abc', LOG_LEVEL: 'loud', VERIDITY_DATA_DIR: dataDir }));
  assert.equal(result.code, 1);
  assert.match(result.output, /PORT/);
  assert.match(result.output, /LOG_LEVEL/);
  assert.doesNotMatch(result.output, /\n\s+at /, 'no stack trace');
  const heapLimit = await runToEnd(['serve'], cleanEnv({ VERIDITY_HEAP_LIMIT_MB: '1g', VERIDITY_DATA_DIR: dataDir }));
  assert.equal(heapLimit.code, 2);
  assert.equal(heapLimit.output.trim(), "veridity: VERIDITY_HEAP_LIMIT_MB must be a number of megabytes, got '1g'");
});

test('--help on every command; bad usage exits 2', async () => {
  for (const args of [['--help'], ['serve', '--help'], ['migrate', '--help'], ['admin', '--help'], ['admin', 'create-client', '--help'], ['admin', 'list-clients', '--help'], ['admin', 'disable-client', '--help']]) {
    const result = await runToEnd(args, cleanEnv({}));
    assert.equal(result.code, 0, args.join(' '));
    assert.match(result.output, /Usage: veridity/);
  }
  assert.equal((await runToEnd(['frobnicate'], cleanEnv({}))).code, 2);
  const missing = await runToEnd(['admin', 'create-client', '--scopes', 'nope'], cleanEnv({ VERIDITY_DATA_DIR: dataDir }));
  assert.equal(missing.code, 2);
  assert.match(missing.output, /--name/);
  assert.match(missing.output, /--scopes/);
});
