import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse } from '#platform/http/schemas.ts';
import { STATUS_CYCLES } from './admin-server.ts';
import { readGlobalManagerStatus } from './read-status.ts';

const TaskRunSchema = z.object({
  position: z.number().int(),
  task: z.string(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().int().nullable(),
  outcome: z.enum(['running', 'succeeded', 'failed', 'interrupted', 'skipped']),
  counts: z.record(z.string(), z.number()),
  error: z.string().nullable(),
});

const StatusSchema = z
  .object({
    leader: z.string().nullable().describe('The leader\'s lock connection (veridity-global-manager:<host>:<pid>); null: no process leads'),
    last_success_at: z.string().nullable(),
    lag_seconds: z.number().int().nullable().describe('Seconds since the end of the last cycle in which every task succeeded'),
    cycles: z.array(z.object({
      cycle_id: z.string(),
      runner: z.string(),
      started_at: z.string(),
      finished_at: z.string().nullable(),
      outcome: z.enum(['running', 'succeeded', 'failed']),
      tasks: z.array(TaskRunSchema),
    })),
  })
  .meta({ id: 'GlobalManagerStatus' });

/** The global manager's status through the API (what its own admin port serves as /status.json, read from the database). */
export function registerGlobalManagerRoutes(app: FastifyInstance, deps: { pool: Pool; clock: Clock }): void {
  app.withTypeProvider<ZodTypeProvider>().get('/api/admin/global-manager', {
    config: { access: access.admin },
    schema: {
      operationId: 'getGlobalManagerStatus',
      tags: ['Admin'],
      summary: 'The global manager: who leads, the last cycles (each task\'s duration, outcome and counts), the lag',
      description: 'Read from the database, so any replica answers the same: the process holding the leader lock (if any), the last cycles with each task\'s start, duration, outcome, counts and error, and the lag since the last cycle that finished without a failed task.',
      response: { 200: jsonResponse('The status', StatusSchema), ...errorResponses(401) },
    },
  }, async () => readGlobalManagerStatus(deps.pool, deps.clock.now(), { cycles: STATUS_CYCLES }));
}
