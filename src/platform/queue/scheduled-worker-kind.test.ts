import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { createPool, type Pool } from '#platform/db/pool.ts';
import { createLogger } from '#platform/logger.ts';
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts';
import { bindJob } from './job-binding.ts';
import { defineJob } from './job-definition.ts';
import { startQueue, type Queue } from './queue.ts';
import { scheduledWorkerKind } from './scheduled-worker-kind.ts';

const Tick = defineJob({ name: 'test.tick', schema: z.object({}), retryLimit: 0 });

const log = createLogger('silent');
let database: TestDatabase;
let queue: Queue;
before(async () => {
  database = await createTestDatabase({ migrate: false });
  queue = await startQueue({ connectionString: database.url, log, schedule: false });
});
after(async () => {
  await queue.stop({ graceful: false });
  await database.drop();
});

test('a scheduled kind registers its cron and runs the bound handler with the deps it builds, in the queue and once', async () => {
  const runs: Array<{ label: string; jobId: string }> = [];
  const binding = bindJob(Tick, async () => async (deps: { label: string; pool: Pool }, job) => {
    await deps.pool.query('SELECT 1');
    runs.push({ label: deps.label, jobId: job.id });
    return { runs: runs.length };
  });
  const kind = scheduledWorkerKind({
    binding,
    cron: '0 0 1 1 *',
    description: 'test tick',
    context: () => ({
      queue: async () => queue,
      openPool: () => createPool(database.url, { max: 1, log }),
      log,
      handlerDeps: (pool) => ({ label: 'built', pool }),
    }),
  });
  assert.equal(kind.name, 'test.tick');

  const running = await kind.start();
  const schedules = await database.pool.query('SELECT cron, data FROM pgboss.schedule WHERE name = $1', [Tick.name]);
  assert.deepEqual(schedules.rows, [{ cron: '0 0 1 1 *', data: {} }]);
  const jobId = (await queue.enqueue(Tick, {}))!;
  const deadline = Date.now() + 10_000;
  while (runs.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(runs, [{ label: 'built', jobId }]);
  assert.deepEqual(await running.stop({ timeoutMs: 5_000 }), { finished: true });

  assert.deepEqual(await kind.runOnce(), { runs: 2 });
  assert.equal(runs[1]?.label, 'built');
});
