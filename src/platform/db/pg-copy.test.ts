import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts';
import { copyIn, copyOut } from './pg-copy.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase({ migrate: false });
});
after(async () => database.drop());

const ROWS = 40_000;
const expectedText = Array.from({ length: ROWS }, (_, i) => `${i + 1}\t${'x'.repeat(90)}${i + 1}\n`).join('');

/** A sink that takes its time, as a file on a busy disk does: chunks wait in its buffer for many socket reads. */
function slowSink(): { sink: Writable; received: () => Buffer } {
  const parts: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, done) {
      parts.push(chunk);
      setImmediate(done);
    },
  });
  return { sink, received: () => Buffer.concat(parts) };
}

test('copyOut hands the sink bytes of its own: pg reuses its read buffer for later messages while earlier chunks still wait in the sink', async () => {
  const client = await database.pool.connect();
  try {
    const { sink, received } = slowSink();
    const rows = await copyOut(client, `COPY (SELECT g, repeat('x', 90) || g FROM generate_series(1, ${ROWS}) g) TO STDOUT`, sink);
    assert.equal(rows, ROWS);
    assert.equal(received().toString('utf8'), expectedText);
  } finally {
    client.release();
  }
});

test('copyIn streams the source into the table, every row as sent', async () => {
  const client = await database.pool.connect();
  try {
    await client.query('CREATE TEMP TABLE copied (n int, text text)');
    const rows = await copyIn(client, 'COPY copied FROM STDIN', Readable.from([Buffer.from(expectedText)]));
    assert.equal(rows, ROWS);
    const { rows: [summary] } = await client.query<{ count: string; last: string }>("SELECT count(*)::text AS count, max(n)::text AS last FROM copied WHERE text = repeat('x', 90) || n");
    assert.deepEqual(summary, { count: String(ROWS), last: String(ROWS) });
  } finally {
    client.release();
  }
});
