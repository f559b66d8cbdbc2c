import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts';
import { createLogger } from './logger.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
  await database.pool.query('CREATE TABLE logged_secrets (secret text PRIMARY KEY)');
});
after(async () => database.drop());

/** A logger writing into an array, one parsed JSON object per line. */
function capture() {
  const lines: string[] = [];
  const log = createLogger('info', new Writable({ write(chunk, _enc, done) { lines.push(chunk.toString()); done(); } }));
  return { log, raw: () => lines.join(''), entries: () => lines.map((line) => JSON.parse(line)) };
}

async function failure(query: Promise<unknown>): Promise<Error> {
  try {
    await query;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the query was expected to fail');
}

const secret = () => `sealed-${randomBytes(12).toString('hex')}`;

test('a failed drizzle query is logged with its type, message, stack and pg code, never its parameters', async () => {
  const value = secret();
  const error = await failure(database.db.execute(sql`SELECT ${value}::text AS s FROM no_such_table`));
  assert.ok(error.message.includes(value), 'drizzle puts the parameters in its message: the case this test is about');

  const { log, raw, entries } = capture();
  log.error({ err: error }, 'query failed');
  log.error(error, 'query failed, logged as the merging object');
  // Without a message pino takes the error's own as `msg`.
  log.error(error);
  log.error({ err: error });
  assert.equal(raw().includes(value), false, 'a parameter reached the log');
  assert.equal(entries().length, 4);
  assert.match(entries()[3].msg, /^Failed query: select/i);
  for (const entry of entries()) {
    assert.equal(entry.err.type, 'DrizzleQueryError');
    assert.match(entry.err.message, /^Failed query: select \$1::text as s from no_such_table$/i);
    assert.match(entry.err.stack, /^DrizzleQueryError: Failed query: .*\n\s+at /i);
    assert.equal('params' in entry.err, false);
    assert.equal('query' in entry.err, false);
    assert.equal(entry.err.cause.code, '42P01');
    assert.match(entry.err.cause.message, /relation "no_such_table" does not exist/);
  }
});

test("a constraint violation's detail (which quotes the row's values) stays out of the log", async () => {
  const value = secret();
  await database.db.execute(sql`INSERT INTO logged_secrets (secret) VALUES (${value})`);
  const error = await failure(database.db.execute(sql`INSERT INTO logged_secrets (secret) VALUES (${value})`));
  assert.ok(JSON.stringify(error.cause).includes(value), 'pg puts the duplicate key in its detail: the case this test is about');

  const { log, raw, entries } = capture();
  log.warn({ err: new Error('could not store', { cause: error }) }, 'nested');
  assert.equal(raw().includes(value), false, 'a value reached the log');
  const [entry] = entries();
  assert.equal(entry.err.cause.type, 'DrizzleQueryError');
  assert.equal(entry.err.cause.cause.code, '23505');
  assert.equal(entry.err.cause.cause.constraint, 'logged_secrets_pkey');
});

test('an error carrying a pg client, parameters or anything else unexpected logs only the known safe fields', async () => {
  const password = secret();
  const client = await database.pool.connect();
  try {
    const error = Object.assign(new Error('connection trouble'), {
      code: 'ECONNRESET',
      client,
      connectionString: `postgres://veridity:${password}@db/veridity`,
      parameters: [password],
      params: [password],
      query: `SELECT '${password}'`,
    });
    const { log, raw, entries } = capture();
    log.error({ err: error }, 'trouble');
    assert.equal(raw().includes(password), false);
    assert.deepEqual(Object.keys(entries()[0].err).sort(), ['code', 'message', 'stack', 'type']);
  } finally {
    client.release();
  }
});

test('non-errors under err and circular causes still log', () => {
  const looped = new Error('looped');
  looped.cause = looped;
  const { log, entries } = capture();
  log.error({ err: looped }, 'circular');
  log.error({ err: 'just a string' }, 'not an error');
  const [circular, text] = entries();
  assert.equal(circular.err.message, 'looped');
  assert.equal(text.err, 'just a string');
});
