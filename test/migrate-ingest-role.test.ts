/**
 * `veridity migrate` with INGEST_DATABASE_URL gives the ingest gateway's role that URL's password,
 * as a SCRAM verifier (deploy/compose.yaml and the Terraform migrate task rely on it): the verifier
 * is the one PostgreSQL itself computes, it lets that password in, the password never shows in the
 * output, and a URL naming another role (the owner's, by mistake) changes nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { scramSha256Verifier } from '#platform/db/scram-verifier.ts';
import { INGEST_TEST_PASSWORD } from './support/ingest-role.ts';
import { cleanEnv, runToEnd } from './support/processes.ts';
import { scramAccepts } from './support/scram-server.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

let database: TestDatabase;
before(async () => (database = await createTestDatabase()));
after(async () => database.drop());

const rolePassword = async (role: string): Promise<string | null> =>
  (await database.pool.query<{ rolpassword: string | null }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role])).rows[0]!.rolpassword;

const urlAs = (user: string, password?: string) => {
  const url = new URL(database.url);
  url.username = user;
  url.password = password ?? '';
  return url.toString();
};

const migrate = (ingestDatabaseUrl: string) =>
  runToEnd(['migrate'], cleanEnv({ DATABASE_URL: database.url, VERIDITY_ENCRYPTION_KEY: randomBytes(32).toString('hex'), INGEST_DATABASE_URL: ingestDatabaseUrl }));

test('the verifier is byte for byte the one PostgreSQL stores for the same password and salt', async () => {
  const role = `veridity_scram_${randomBytes(4).toString('hex')}`;
  const password = `p${randomBytes(12).toString('base64url')} ~!`;
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(`SET password_encryption = 'scram-sha-256'`);
    await client.query(`CREATE ROLE ${role} PASSWORD ${client.escapeLiteral(password)}`);
    const stored = (await client.query<{ rolpassword: string }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role])).rows[0]!.rolpassword;
    const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(stored)!;
    assert.equal(scramSha256Verifier(password, Buffer.from(salt!, 'base64'), Number(iterations)), stored);
  } finally {
    await client.query(`DROP ROLE IF EXISTS ${role}`);
    await client.end();
  }
});

test("migrate sets veridity_ingest's password from INGEST_DATABASE_URL, never printing it", async () => {
  await database.pool.query('ALTER ROLE veridity_ingest PASSWORD NULL');
  const run = await migrate(urlAs('veridity_ingest', INGEST_TEST_PASSWORD));
  assert.equal(run.code, 0, run.output);
  assert.match(run.stdout, /set veridity_ingest's password from INGEST_DATABASE_URL/);
  assert.ok(!run.output.includes(INGEST_TEST_PASSWORD), 'the password is not printed');
  const verifier = await rolePassword('veridity_ingest');
  assert.match(String(verifier), /^SCRAM-SHA-256\$4096:/);
  assert.equal(await scramAccepts(verifier!, INGEST_TEST_PASSWORD), true);
  assert.equal(await scramAccepts(verifier!, 'another password'), false);
});

test('a URL naming another role is refused and changes nothing; one without a password leaves the role as it is', async () => {
  const ownerBefore = await rolePassword(new URL(database.url).username);
  const owner = await migrate(urlAs(new URL(database.url).username, 'not-the-owners-password'));
  assert.equal(owner.code, 1, owner.output);
  assert.match(owner.output, /names the role \w+, not veridity_ingest/);
  assert.equal(await rolePassword(new URL(database.url).username), ownerBefore);

  const noPassword = await migrate(urlAs('veridity_ingest'));
  assert.equal(noPassword.code, 0, noPassword.output);
  assert.match(noPassword.stdout, /no password: veridity_ingest left as it is/);
  // Still the password the previous test set (other tests on this cluster set the same one).
  assert.equal(await scramAccepts((await rolePassword('veridity_ingest'))!, INGEST_TEST_PASSWORD), true);
});
