import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { inTransaction } from '#platform/db/pool.ts';
import { createLogger } from '#platform/logger.ts';
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts';
import { defineJob } from './job-definition.ts';
import { startQueue, type Queue } from './queue.ts';

const Echo = defineJob({ name: 'test.echo', schema: z.object({ n: z.number().int() }), retryLimit: 1, retryDelaySeconds: 1, deadLetter: 'test.echo.dead' });

let database: TestDatabase;
let queue: Queue;
before(async () => {
  database = await createTestDatabase();
  queue = await startQueue({ connectionString: database.url, log: createLogger('silent'), schedule: false });
  await queue.register([Echo]);
});
after(async () => {
  await queue.stop({ graceful: false });
  await database.drop();
});

test('a job enqueued in a rolled-back transaction never exists; a committed one is worked once', async () => {
  await assert.rejects(
    inTransaction(database.pool, async (client) => {
      await queue.enqueue(Echo, { n: 1 }, { client });
      throw new Error('roll back');
    }),
  );
  await inTransaction(database.pool, async (client) => {
    await queue.enqueue(Echo, { n: 2 }, { client });
  });
  const seen: number[] = [];
  await queue.work(Echo, async (jobs) => {
    for (const job of jobs) seen.push(job.data.n);
  });
  const deadline = Date.now() + 10_000;
  while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 700));
  assert.deepEqual(seen, [2]);
});

test('payloads are validated against the job schema before they are stored', async () => {
  await assert.rejects(queue.enqueue(Echo, { n: 'x' } as never));
});
