import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { inTransaction } from '#platform/db/pool.ts';
import { createLogger } from '#platform/logger.ts';
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts';
import { defineJob } from './job-definition.ts';
import { startQueue, type Queue } from './queue.ts';

const Echo = defineJob({ name: 'test.echo', schema: z.object({ n: z.number().int() }), retryLimit: 1, retryDelaySeconds: 1, deadLetter: 'test.echo.dead' });
const Fetched = defineJob({ name: 'test.fetched', schema: z.object({ task: z.string() }), retryLimit: 0 });
/** The same queues under a looser schema: how a payload of another release reaches a worker. */
const looser = (name: string) => defineJob({ name, schema: z.record(z.string(), z.unknown()) });

let database: TestDatabase;
let queue: Queue;
const logLines: Array<{ msg: string; job_id?: string; problems?: string }> = [];
before(async () => {
  database = await createTestDatabase();
  const log = createLogger('error', { write: (line: string) => void logLines.push(JSON.parse(line)) });
  queue = await startQueue({ connectionString: database.url, log, schedule: false });
  await queue.register([Echo, Fetched]);
});
after(async () => {
  await queue.stop({ graceful: false });
  await database.drop();
});

const jobRow = async (id: string) =>
  (await database.pool.query<{ state: string; output: { message?: string } | null }>('SELECT state, output FROM pgboss.job WHERE id = $1', [id])).rows[0];

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, 'timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a job enqueued in a rolled-back transaction never exists; a committed one is worked once; a malformed one fails without stopping the worker', async () => {
  await assert.rejects(
    inTransaction(database.pool, async (client) => {
      await queue.enqueue(Echo, { n: 1 }, { client });
      throw new Error('roll back');
    }),
  );
  const malformed = (await queue.enqueue(looser(Echo.name), { n: 'x' }))!;
  await inTransaction(database.pool, async (client) => {
    await queue.enqueue(Echo, { n: 2 }, { client });
  });
  const seen: number[] = [];
  await queue.work(Echo, async (job) => {
    seen.push(job.data.n);
  });
  await until(() => seen.length > 0);
  await new Promise((r) => setTimeout(r, 700));
  assert.deepEqual(seen, [2]);
  await until(async () => !['created', 'active'].includes((await jobRow(malformed))?.state ?? ''));
  // Failed, not worked: waiting for its retry, or (on a busy machine, its retry delay past) failed for good.
  const failed = await jobRow(malformed);
  assert.ok(['retry', 'failed'].includes(failed?.state ?? ''), `state ${failed?.state}`);
  assert.match(failed?.output?.message ?? '', /^payload does not match the test\.echo schema: n: /);
  await queue.stopWorking(Echo);
});

test('payloads are validated against the job schema before they are stored', async () => {
  await assert.rejects(queue.enqueue(Echo, { n: 'x' } as never));
});

test('a fetched job comes with its metadata; complete joins the caller transaction; fail keeps the message', async () => {
  const done = (await queue.enqueue(Fetched, { task: 'a' }))!;
  const malformed = (await queue.enqueue(looser(Fetched.name), { task: 7 }))!;
  const fetched = await queue.fetch(Fetched, { batchSize: 10 });
  assert.deepEqual(fetched, [{ name: Fetched.name, id: done, data: { task: 'a' }, retryCount: 0, retryLimit: 0 }]);

  assert.equal((await jobRow(malformed))?.state, 'failed');
  assert.match((await jobRow(malformed))?.output?.message ?? '', /^payload does not match the test\.fetched schema: task: /);
  const logged = logLines.find((line) => line.job_id === malformed);
  assert.equal(logged?.msg, 'job payload does not match its schema; job failed');
  assert.match(logged?.problems ?? '', /^task: /);

  await assert.rejects(
    inTransaction(database.pool, async (client) => {
      await queue.complete(fetched[0]!, { client });
      throw new Error('roll back');
    }),
  );
  assert.equal((await jobRow(done))?.state, 'active');
  await inTransaction(database.pool, (client) => queue.complete(fetched[0]!, { client }));
  assert.equal((await jobRow(done))?.state, 'completed');

  const failing = (await queue.enqueue(Fetched, { task: 'b' }))!;
  const [job] = await queue.fetch(Fetched, { batchSize: 1 });
  assert.equal(job?.id, failing);
  await queue.fail(job, 'storage unreachable');
  assert.deepEqual(await jobRow(failing), { state: 'failed', output: { message: 'storage unreachable' } });
});
