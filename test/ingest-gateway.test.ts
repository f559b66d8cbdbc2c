/**
 * The ingest gateway as its own process and PostgreSQL role (issue 13): connected as
 * veridity_ingest (migration 0016) the gateway reads no table of the platform (certificates,
 * partners, keys, the ledger, submissions, pg-boss) and changes none; it submits through
 * evidence_submit_as_agent() only, for the agent whose credential it presents, and the job that
 * function queues is the job pg-boss itself would have queued. End to end: `veridity ingest`
 * beside `veridity serve`, an agent enrolled on serve submits to the gateway, serve's evidence
 * worker certifies it; the gateway answers nothing but /ingest/v1/proofs and the probes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { hashToken } from '#platform/crypto/tokens.ts';
import { newId } from '#platform/ids.ts';
import { createLogger } from '#platform/logger.ts';
import { startQueue, type Queue } from '#platform/queue/queue.ts';
import { VerifyEvidenceJob } from '#modules/evidence/jobs.ts';
import { enrollAgentInto, submitFilesAsAgent } from '#src/cli/agent.ts';
import { asIngestRole, INGEST_ROLE } from './support/ingest-role.ts';
import { cleanEnv, freePort, runToEnd, startProcess, waitFor } from './support/processes.ts';
import { startServe, type ServeProcess } from './support/serve-process.ts';
import { createTestDatabase } from './support/test-database.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

const REPORT = path.join(import.meta.dirname, '../src/modules/evidence/verification/fixtures/erasure-report.json');

/** The SQLSTATE a statement fails with, or 'ok'. */
async function outcomeOf(client: pg.Client, sql: string, values: unknown[] = []): Promise<string> {
  try {
    await client.query(sql, values);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const dirs: string[] = [];
async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'veridity-ingest-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('the role veridity_ingest', () => {
  let t: TestApp;
  let queue: Queue;
  let role: pg.Client;
  let credential: string;
  let partner: Record<string, any>;

  before(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    // pg-boss's schema and the evidence queue exist, as once serve or a worker has run.
    queue = await startQueue({ connectionString: t.database.url, log: createLogger('silent'), schedule: false });
    await queue.register([VerifyEvidenceJob]);
    partner = await createPartner(t, { name: 'Gateway partner', scopes: ['evidence'] });
    const enrollment = await t.app.inject({ method: 'POST', url: '/api/v1/evidence/enrollments', headers: { 'x-api-key': partner.api_key }, payload: { name: 'Dock 3' } });
    const out = path.join(await scratchDir(), 'agent');
    await enrollAgentInto({ url: new URL(`http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`), token: enrollment.json().token, out });
    credential = (await readFile(path.join(out, 'credential'), 'utf8')).trim();
    role = new pg.Client({ connectionString: await asIngestRole(t.database.url) });
    await role.connect();
  });
  after(async () => {
    await role.end();
    await queue.stop({ graceful: false });
    await t.close();
  });

  /** evidence_submit_as_agent() as the gateway calls it, for a fresh DER hash. */
  const submitAs = (credentialHash: Buffer, derSha256 = randomBytes(32).toString('hex')) =>
    role.query<{ outcome: string; id: string; client_id: string; agent_id: string; job_id: string; status: string }>(
      `SELECT outcome, (f.submission).id, (f.submission).client_id, (f.submission).agent_id, (f.submission).job_id, (f.submission).status
         FROM evidence_submit_as_agent($1, $2, $3, 100, $4, NULL, NULL, 'report.p7m', NULL, now(), $5) f`,
      [credentialHash, newId('evd'), derSha256, `evidence/${partner.id}/der/${derSha256}`, newId('whk')],
    );

  test('it cannot read certificates, partners, keys, the ledger, agent CAs, submissions or pg-boss', async () => {
    const secret = [
      'certificates', 'certificate_pdf_signers', 'api_clients', 'api_keys', 'admin_tokens', 'platform_keys', 'evidence_encryption_keys', 'evidence_agent_cas',
      'evidence_agents', 'evidence_enrollments', 'ledger_entries', 'ledger_nodes', 'ledger_tree_head', 'ledger_checkpoints', 'evidence_submissions',
      'audit_logs', 'idempotency_keys', 'webhook_endpoints', 'pgboss.job', 'pgboss.queue',
    ];
    for (const table of secret) assert.equal(await outcomeOf(role, `SELECT * FROM ${table} LIMIT 1`), '42501', table);
    // Every table of the database, by the catalogue: only the list of applied migrations is readable, nothing is writable.
    const { rows } = await t.database.pool.query<{ table: string; rights: string[] }>(
      `SELECT format('%I.%I', schemaname, tablename) AS table,
              array_remove(ARRAY[
                CASE WHEN has_table_privilege($1, format('%I.%I', schemaname, tablename), 'SELECT') THEN 'SELECT' END,
                CASE WHEN has_table_privilege($1, format('%I.%I', schemaname, tablename), 'INSERT') THEN 'INSERT' END,
                CASE WHEN has_table_privilege($1, format('%I.%I', schemaname, tablename), 'UPDATE') THEN 'UPDATE' END,
                CASE WHEN has_table_privilege($1, format('%I.%I', schemaname, tablename), 'DELETE') THEN 'DELETE' END,
                CASE WHEN has_table_privilege($1, format('%I.%I', schemaname, tablename), 'TRUNCATE') THEN 'TRUNCATE' END], NULL) AS rights
         FROM pg_tables WHERE schemaname IN ('public', 'pgboss')`,
      [INGEST_ROLE],
    );
    assert.ok(rows.length > 40, `${rows.length} tables`);
    assert.deepEqual(rows.filter((row) => row.rights.length > 0), [{ table: 'public.schema_migrations', rights: ['SELECT'] }]);
  });

  test('it cannot update or delete anything, nor queue a job or store a submission by itself', async () => {
    const [submitted] = (await submitAs(hashToken(credential))).rows;
    assert.equal(submitted?.outcome, 'accepted');
    for (const sql of [
      `UPDATE evidence_submissions SET status = 'certified' WHERE id = '${submitted!.id}'`,
      `DELETE FROM evidence_submissions WHERE id = '${submitted!.id}'`,
      `UPDATE api_clients SET scopes = '{}'`,
      'DELETE FROM certificates',
      'UPDATE evidence_agents SET revoked_at = NULL',
      'DELETE FROM ledger_entries',
      'TRUNCATE schema_migrations',
      "INSERT INTO evidence_submissions (id, client_id, der_sha256, der_bytes, object_key) VALUES ('evd_x', 'cli_x', 'aa', 1, 'k')",
      `INSERT INTO pgboss.job (name, data) VALUES ('evidence.verify', '{}')`,
      `UPDATE pgboss.job SET state = 'completed'`,
      'CREATE TABLE mine (id int)',
    ]) assert.equal(await outcomeOf(role, sql), '42501', sql);
    // The function behind the gateway's takes any partner: not the gateway's to call.
    assert.equal(
      await outcomeOf(role, `SELECT * FROM evidence_submit('evd_x', $1, NULL, $2, 1, 'k', NULL, NULL, NULL, NULL, now(), 'whk_x')`, [partner.id, randomBytes(32).toString('hex')]),
      '42501',
    );
  });

  test('it submits for the agent whose credential it presents, and for no one else', async () => {
    const der = randomBytes(32).toString('hex');
    const [accepted] = (await submitAs(hashToken(credential), der)).rows;
    assert.equal(accepted?.outcome, 'accepted');
    assert.equal(accepted.client_id, partner.id);
    assert.match(accepted.agent_id, /^agt_/);
    assert.equal(accepted.status, 'received');
    const job = await t.database.pool.query('SELECT name, data, state FROM pgboss.job WHERE id = $1', [accepted.job_id]);
    assert.deepEqual(job.rows, [{ name: 'evidence.verify', data: { evidence_id: accepted.id }, state: 'created' }]);

    const [again] = (await submitAs(hashToken(credential), der)).rows;
    assert.deepEqual([again?.outcome, again?.id, again?.job_id], ['duplicate', accepted.id, accepted.job_id]);

    // An unknown credential submits nothing, even with a look-alike table of the session's own in front of the real one.
    assert.equal((await submitAs(hashToken('vag_unknown'))).rows.length, 0);
    await role.query('CREATE TEMP TABLE evidence_agents AS SELECT $1::text AS id, $2::text AS client_id, $3::bytea AS credential_hash, NULL::timestamptz AS revoked_at', [
      'agt_forged', partner.id, hashToken('vag_forged'),
    ]);
    assert.equal((await submitAs(hashToken('vag_forged'))).rows.length, 0);
    await role.query('DROP TABLE pg_temp.evidence_agents');

    // A revoked agent's credential submits nothing.
    await t.database.pool.query('UPDATE evidence_agents SET revoked_at = now() WHERE id = $1', [accepted.agent_id]);
    try {
      assert.equal((await submitAs(hashToken(credential))).rows.length, 0);
    } finally {
      await t.database.pool.query('UPDATE evidence_agents SET revoked_at = NULL WHERE id = $1', [accepted.agent_id]);
    }
  });

  test('the job it queues is the job pg-boss queues for the same payload (migration 0016 follows pg-boss 12)', async () => {
    const [submitted] = (await submitAs(hashToken(credential))).rows;
    const sent = await queue.enqueue(VerifyEvidenceJob, { evidence_id: submitted!.id });
    const { rows } = await t.database.pool.query(
      `SELECT to_jsonb(j) - ARRAY['id', 'created_on', 'start_after', 'keep_until'] AS job, keep_until - start_after AS kept FROM pgboss.job j WHERE id = ANY($1::uuid[]) ORDER BY created_on`,
      [[submitted!.job_id, sent]],
    );
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0], rows[1]);
  });
});

describe('veridity ingest', () => {
  let scratch: string;
  let serve: ServeProcess;

  before(async () => {
    scratch = await scratchDir();
    serve = await startServe(scratch, { EVIDENCE_WORKER_CONCURRENCY: '1' });
  });
  after(async () => {
    await serve.stop();
  });

  const ingestEnv = (env: Record<string, string>) => cleanEnv({ VERIDITY_DATA_DIR: path.join(scratch, 'data'), ...env });

  test('refuses to start without INGEST_DATABASE_URL, as a role that can read partners, or before the migrations', async () => {
    const missing = await runToEnd(['ingest'], ingestEnv({}));
    assert.equal(missing.code, 2, missing.output);
    assert.match(missing.output, /INGEST_DATABASE_URL is required/);

    const owner = await runToEnd(['ingest'], ingestEnv({ INGEST_DATABASE_URL: serve.database.url, PORT: String(await freePort()) }));
    assert.equal(owner.code, 1, owner.output);
    const ownerName = decodeURIComponent(new URL(serve.database.url).username);
    assert.match(owner.output, new RegExp(`connects as ${ownerName}, which can read api_clients, api_keys, evidence_submissions, evidence_agent_cas: connect as veridity_ingest`));

    const empty = await createTestDatabase({ migrate: false });
    try {
      const early = await runToEnd(['ingest'], ingestEnv({ INGEST_DATABASE_URL: await asIngestRole(empty.url), PORT: String(await freePort()) }));
      assert.equal(early.code, 1, early.output);
      assert.match(early.output, /migrations 1, 2, .* are not applied; this process never migrates/);
    } finally {
      await empty.drop();
    }
  });

  test('an agent enrolled on serve submits to the gateway, serve certifies it; the gateway serves nothing else', async () => {
    const port = await freePort();
    const gateway = `http://127.0.0.1:${port}`;
    const ingest = startProcess(['ingest'], ingestEnv({ INGEST_DATABASE_URL: await asIngestRole(serve.database.url), PORT: String(port) }));
    try {
      await waitFor(async () => (await fetch(`${gateway}/readyz`)).ok, 30_000, `ingest on ${gateway}\n${ingest.output()}`);

      const admin = { authorization: `Bearer ${serve.adminToken}`, 'content-type': 'application/json' };
      const created = await fetch(`${serve.baseUrl}/api/admin/clients`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'Gateway partner', scopes: ['evidence'] }) });
      assert.equal(created.status, 201);
      const apiKey = (await created.json()).api_key as string;
      const asPartner = { 'x-api-key': apiKey, 'content-type': 'application/json' };
      const enrollment = await fetch(`${serve.baseUrl}/api/v1/evidence/enrollments`, { method: 'POST', headers: asPartner, body: JSON.stringify({ name: 'Dock 4' }) });
      assert.equal(enrollment.status, 201);
      const out = path.join(scratch, 'agent');
      const agent = await enrollAgentInto({ url: new URL(serve.baseUrl), token: (await enrollment.json()).token, out });

      const [submitted] = await submitFilesAsAgent({ dir: out, files: [REPORT], url: new URL(gateway) });
      assert.ok(submitted && 'id' in submitted, JSON.stringify(submitted));
      let evidence: Record<string, any> = {};
      await waitFor(async () => {
        evidence = await (await fetch(`${serve.baseUrl}/api/v1/proofs/${submitted.id}`, { headers: asPartner })).json();
        return evidence.status === 'certified';
      }, 60_000, `certification of ${submitted.id}: ${JSON.stringify(evidence)}\n${serve.server.output()}`);
      assert.equal(evidence.agent_id, agent.agent_id);

      const credential = (await readFile(path.join(out, 'credential'), 'utf8')).trim();

      // Nothing but /ingest/v1/proofs and the probes; no other kind of caller.
      for (const [method, url] of [['GET', '/api/v1/proofs'], ['POST', '/api/v1/proofs'], ['GET', '/api/admin/clients'], ['POST', '/ingest/v1/enroll'], ['GET', `/ingest/v1/crl/${agent.agent_ca_id}`], ['GET', '/openapi.json'], ['GET', '/docs']]) {
        const response = await fetch(`${gateway}${url}`, { method, headers: asPartner, ...(method === 'POST' ? { body: '{}' } : {}) });
        assert.equal(response.status, 404, `${method} ${url}`);
        assert.equal((await response.json()).error_code, 'NOT_FOUND');
      }
      const partnerKey = await fetch(`${gateway}/ingest/v1/proofs`, { method: 'POST', headers: asPartner, body: JSON.stringify({ der_base64: 'MA==' }) });
      assert.equal(partnerKey.status, 401);
      assert.equal((await partnerKey.json()).error_code, 'UNAUTHORIZED');
      assert.equal((await fetch(`${gateway}/healthz`)).status, 200);
      assert.ok(!ingest.output().includes(credential), 'the credential is never logged');
    } finally {
      ingest.child.kill('SIGTERM');
      assert.equal(await ingest.exited, 0, ingest.output());
    }
  });
});

describe('veridity ingest before any evidence worker has started', () => {
  let t: TestApp;
  let queue: Queue | undefined;

  before(async () => {
    // Only the migrations ran: no serve, no worker, so pg-boss is not even installed.
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await queue?.stop({ graceful: false });
    await t.close();
  });

  test('an enrolled agent gets 503 NOT_READY and nothing is stored, until the evidence worker registered its queue', async () => {
    const partner = await createPartner(t, { name: 'Too early', scopes: ['evidence'] });
    const enrollment = await t.app.inject({ method: 'POST', url: '/api/v1/evidence/enrollments', headers: { 'x-api-key': partner.api_key }, payload: { name: 'Dock 5' } });
    assert.equal(enrollment.statusCode, 201, enrollment.body);
    const scratch = await scratchDir();
    const out = path.join(scratch, 'agent');
    await enrollAgentInto({ url: new URL(`http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`), token: enrollment.json().token, out });
    const credential = (await readFile(path.join(out, 'credential'), 'utf8')).trim();

    const port = await freePort();
    const gateway = `http://127.0.0.1:${port}`;
    const ingest = startProcess(['ingest'], cleanEnv({ INGEST_DATABASE_URL: await asIngestRole(t.database.url), PORT: String(port), VERIDITY_DATA_DIR: path.join(scratch, 'data') }));
    try {
      await waitFor(async () => (await fetch(`${gateway}/readyz`)).ok, 30_000, `ingest on ${gateway}\n${ingest.output()}`);
      const der = await readFile(path.join(path.dirname(REPORT), 'ec-embedded.der'));
      const submitRaw = () => fetch(`${gateway}/ingest/v1/proofs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/pkcs7-mime' },
        body: new Uint8Array(der),
      });
      const stored = async () => (await t.database.pool.query('SELECT count(*)::int AS n FROM evidence_submissions')).rows[0].n;

      // pg-boss not installed, then installed without the evidence.verify queue (the function's own VQ001): the same answer.
      for (const stage of ['no pg-boss', 'no evidence.verify queue']) {
        if (stage === 'no evidence.verify queue') queue = await startQueue({ connectionString: t.database.url, log: createLogger('silent'), schedule: false });
        const [refused] = await submitFilesAsAgent({ dir: out, files: [REPORT], url: new URL(gateway) });
        assert.deepEqual(refused, { file: REPORT, refused: '/ingest/v1/proofs: HTTP 503 NOT_READY (QUEUE_NOT_READY): the evidence worker has not started yet; retry' }, stage);
        const response = await submitRaw();
        assert.equal(response.status, 503, stage);
        assert.equal(response.headers.get('retry-after'), '5');
        const body = await response.json();
        assert.deepEqual({ ...body, request_id: undefined }, {
          error: 'the evidence worker has not started yet; retry', error_code: 'NOT_READY', reason: 'QUEUE_NOT_READY', retry_after_seconds: 5, request_id: undefined,
        });
        assert.match(body.request_id, /^req_/);
        assert.equal(await stored(), 0, stage);
      }

      // The evidence worker starts (it registers the queue): the agent's retry is taken.
      await queue!.register([VerifyEvidenceJob]);
      const [accepted] = await submitFilesAsAgent({ dir: out, files: [REPORT], url: new URL(gateway) });
      assert.ok(accepted && 'id' in accepted && accepted.status === 'received', JSON.stringify(accepted));
      assert.equal(await stored(), 1);
      assert.doesNotMatch(ingest.output(), /VQ001|unhandled error/, 'an expected refusal, not a logged failure');
    } finally {
      ingest.child.kill('SIGTERM');
      assert.equal(await ingest.exited, 0, ingest.output());
    }
  });
});
