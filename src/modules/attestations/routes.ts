import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '#platform/clock.ts';
import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { Db } from '#platform/db/database.ts';
import type { Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import type { Queue } from '#platform/queue/queue.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse } from '#platform/http/schemas.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { adminActor } from '#modules/admin/admin-auth.ts';
import { requireScope } from '#modules/clients/partner-auth.ts';
import { TEE_ATTESTATION_SCOPE } from '#modules/clients/schema.ts';
import { cancelTask } from './cancel-task.ts';
import { checkHealth } from './check-health.ts';
import { createTask } from './create-task.ts';
import { getQueueStatus } from './get-queue-status.ts';
import { getTask } from './get-task.ts';
import { getTaskResult } from './get-task-result.ts';
import { listCollateral } from './list-collateral.ts';
import { listOsImages } from './list-os-images.ts';
import { listTasks } from './list-tasks.ts';
import { publishResultKeys } from './publish-result-keys.ts';
import { registerOsImage } from './register-os-image.ts';
import { removeOsImage } from './remove-os-image.ts';
import {
  FmspcParams,
  OsImageBodySchema,
  OsImageParams,
  OsImageSchema,
  QueueStatusSchema,
  StoredCollateralSchema,
  TaskCreatedSchema,
  TaskCreateSchema,
  TaskIdParams,
  TaskListQuery,
  TaskPageSchema,
  TaskSchema,
  TaskStatsQuery,
  TaskStatsSchema,
} from './schema.ts';
import { setQueuePaused } from './set-queue-paused.ts';
import { storeCollateral } from './store-collateral.ts';
import { summarizeTasks } from './summarize-tasks.ts';
import { createTaskQueue } from './task-queue.ts';

export type AttestationRouteDeps = {
  pool: Pool;
  db: Db;
  clock: Clock;
  storage: ObjectStorage;
  platformKeys: PlatformKeys;
  log: Logger;
  /** pg-boss for enqueuing tasks, started on first use. */
  queue: () => Promise<Queue>;
};

const TAGS = ['Attestations'];
const partner = { access: access.partner([TEE_ATTESTATION_SCOPE]) };
const admin = { access: access.admin };
const open = { access: access.public };

const JwksSchema = z
  .object({ keys: z.array(z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string(), alg: z.literal('EdDSA'), use: z.literal('sig') })) })
  .meta({ id: 'AttestationResultJwks' });
const HealthCheck = z.object({ status: z.enum(['ok', 'down']), latency_ms: z.number(), error: z.string().optional() });
const DetailedHealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    checks: z.object({
      database: HealthCheck,
      queue: HealthCheck.extend({
        name: z.string(),
        paused: z.boolean().optional(),
        pending: z.number().int().optional(),
        active: z.number().int().optional(),
        oldest_pending_seconds: z.number().optional(),
      }),
      storage: HealthCheck.extend({ backend: z.enum(['s3', 'file']), bucket: z.string() }),
    }),
  })
  .meta({ id: 'DetailedHealth' });

const optionalDate = (value: string | undefined) => (value === undefined ? undefined : new Date(value));

/** The seed's DStack Verifier Server API: tasks (partners), queue and collateral (operator), health. */
export function registerAttestationRoutes(app: FastifyInstance, deps: AttestationRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const partnerId = (request: FastifyRequest) => requireScope(request, TEE_ATTESTATION_SCOPE).id;
  const taskQueue = createTaskQueue(deps.queue);

  // ---- Tasks (partner, scope tee_attestation) ----
  r.post('/api/v1/tasks', {
    config: { access: access.billablePartner([TEE_ATTESTATION_SCOPE]), idempotent: true },
    schema: {
      operationId: 'createTask',
      tags: TAGS,
      summary: 'Submit attestation evidence for verification (asynchronous)',
      description:
        'A DCAP quote (TDX v4/v5, SGX v3) with optional collateral, or dstack evidence (quote + eventLog + vmConfig, or a dstack attestation), ' +
        'optionally with the dstack gateway\'s acmeInfo; every kind goes through the same checks. Every field is camelCase. ' +
        'Answers 202 at once; a worker verifies it. Follow it with GET /api/v1/tasks/{id} or the task.completed / task.failed webhooks. ' +
        'Evidence that does not verify makes a task that fails with the reason; evidence over 192 KiB is refused (413).',
      body: TaskCreateSchema,
      response: { 202: jsonResponse('Accepted: the task is pending; `Location` names it', TaskCreatedSchema), ...errorResponses(400, 401, 403, 413, 429) },
    },
  }, async (request, reply) => {
    const result = await createTask({ ...deps, taskQueue }, partnerId(request), request.body);
    if (!result.ok) {
      throw new ApiError(result.code === 'EVIDENCE_TOO_LARGE' ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED', result.message, { fields: ['body.evidence'] });
    }
    reply.code(202).header('location', `/api/v1/tasks/${result.id}`);
    return { id: result.id, status: 'pending' as const };
  });

  r.get('/api/v1/tasks', {
    config: partner,
    schema: {
      operationId: 'listTasks',
      tags: TAGS,
      summary: 'Your tasks, newest first (filters: status, appId, creation time)',
      description: 'Your tasks, newest first, filtered by `status`, `appId` and creation time; pass `nextCursor` as `cursor` for the next page.',
      querystring: TaskListQuery,
      response: { 200: jsonResponse('A page of your tasks, newest first', TaskPageSchema), ...errorResponses(400, 401, 403, 429) },
    },
  }, async (request) => {
    const { status, appId, from, to, limit, cursor } = request.query;
    return listTasks(deps, partnerId(request), { status, appId, from: optionalDate(from), to: optionalDate(to) }, { limit, cursor });
  });

  r.get('/api/v1/tasks/stats/summary', {
    config: partner,
    schema: {
      operationId: 'getTaskStats',
      tags: TAGS,
      summary: 'Your tasks counted by status and verdict',
      description: 'Your tasks between `from` and `to`: totals by status, valid and invalid verdicts, average duration, the newest creation time.',
      querystring: TaskStatsQuery,
      response: { 200: jsonResponse('Counts and average duration', TaskStatsSchema), ...errorResponses(400, 401, 403, 429) },
    },
  }, async (request) => summarizeTasks(deps, partnerId(request), { from: optionalDate(request.query.from), to: optionalDate(request.query.to) }));

  r.get('/api/v1/tasks/:id', {
    config: partner,
    schema: {
      operationId: 'getTask',
      tags: TAGS,
      summary: 'A task: status, timestamps, result summary and the signed attestation result',
      description: 'One of your tasks; another partner\'s answers 404. `attestationResult` is a JWT signed with a key from /api/v1/attestation-results/jwks.json.',
      params: TaskIdParams,
      response: { 200: jsonResponse('The task', TaskSchema), ...errorResponses(400, 401, 403, 404, 429) },
    },
  }, async (request) => {
    const task = await getTask(deps, partnerId(request), request.params.id);
    if (!task) throw new ApiError('NOT_FOUND', `no task ${request.params.id}`);
    return task;
  });

  r.get('/api/v1/tasks/:id/result', {
    config: partner,
    schema: {
      operationId: 'getTaskResult',
      tags: TAGS,
      summary: 'The full result document of a finished task (as stored in object storage)',
      description: 'Canonical JSON (RFC 8785); its SHA-256 is the task\'s resultSha256 and the attestation result\'s veridity.result_sha256.',
      params: TaskIdParams,
      response: { 200: jsonResponse('The result document', z.record(z.string(), z.unknown())), ...errorResponses(400, 401, 403, 404, 409, 429) },
    },
  }, async (request, reply) => {
    const result = await getTaskResult(deps, partnerId(request), request.params.id);
    if (!result.ok) {
      if (result.code === 'MISSING_FROM_STORAGE') throw new Error(result.message);
      throw new ApiError(result.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'TASK_NOT_FINISHED', result.message);
    }
    // The stored bytes as they are (a Buffer skips the serializer): their hash is what the signed result names.
    return reply.header('content-type', 'application/json; charset=utf-8').send(result.document as never);
  });

  r.delete('/api/v1/tasks/:id', {
    config: partner,
    schema: {
      operationId: 'cancelTask',
      tags: TAGS,
      summary: 'Cancel a pending task',
      description: 'Cancels a task no worker has taken yet; 409 `TASK_NOT_PENDING` once one has.',
      params: TaskIdParams,
      response: { 200: jsonResponse('The task, now `cancelled`', TaskSchema), ...errorResponses(400, 401, 403, 404, 409, 429) },
    },
  }, async (request) => {
    const result = await cancelTask(deps, partnerId(request), request.params.id);
    if (result.ok) return result.task;
    if (result.code === 'NOT_FOUND') throw new ApiError('NOT_FOUND', `no task ${request.params.id}`);
    throw new ApiError('TASK_NOT_PENDING', `task ${request.params.id} is ${result.status}: only pending tasks can be cancelled`, { status: result.status });
  });

  // ---- Queue (operator) ----
  r.get('/api/v1/queue/status', {
    config: admin,
    schema: { operationId: 'getQueueStatus', tags: TAGS, summary: 'Task queue: paused or not, tasks per status, queue jobs', description: 'Whether processing is paused, tasks per status, the age of the oldest pending task and the queue jobs.', response: { 200: jsonResponse('The queue status', QueueStatusSchema), ...errorResponses(401) } },
  }, async () => getQueueStatus(deps));
  for (const action of ['pause', 'resume'] as const) {
    r.post(`/api/v1/queue/${action}`, {
      config: admin,
      schema: {
        operationId: action === 'pause' ? 'pauseQueue' : 'resumeQueue',
        tags: TAGS,
        summary: action === 'pause' ? 'Pause task processing on every worker (tasks are still accepted and wait)' : 'Resume task processing',
        description: action === 'pause'
          ? 'Every worker stops taking tasks after the ones in flight; new tasks are still accepted and wait as `pending`.'
          : 'Workers take pending tasks again, oldest first.',
        response: { 200: jsonResponse('The queue status after the change', QueueStatusSchema), ...errorResponses(401) },
      },
    }, async (request) => {
      await setQueuePaused(deps, action === 'pause', adminActor(request));
      return getQueueStatus(deps);
    });
  }

  // ---- Collateral and OS image references (operator) ----
  r.put('/api/admin/attestations/collateral/:fmspc', {
    config: admin,
    schema: {
      operationId: 'storeCollateral',
      tags: TAGS,
      summary: 'Store Intel collateral for an FMSPC (used for quotes submitted without collateral)',
      description: 'The PCS/PCCS collateral JSON as @phala/dcap-qvl takes it. Checked (chains to Intel\'s root, signatures, CRLs) before it is stored; replaces the previous one for its platform.',
      params: FmspcParams,
      body: z.record(z.string(), z.unknown()).meta({ id: 'Collateral' }),
      response: { 200: jsonResponse('The stored collateral and its validity window', StoredCollateralSchema), ...errorResponses(400, 401, 413, 422) },
    },
  }, async (request) => {
    const result = await storeCollateral(deps, { raw: request.body, fmspc: request.params.fmspc, source: 'upload' }, adminActor(request));
    if (!result.ok) throw new ApiError('INVALID_COLLATERAL', result.message, { reason: result.code });
    return result.stored;
  });
  r.get('/api/admin/attestations/collateral', {
    config: admin,
    schema: { operationId: 'listCollateral', tags: TAGS, summary: 'Stored collateral per platform and its validity', description: 'Collateral stored per FMSPC (uploaded or fetched from PCCS), with its validity window.', response: { 200: jsonResponse('Stored collateral, one per platform', z.array(StoredCollateralSchema)), ...errorResponses(401) } },
  }, async () => listCollateral(deps));
  r.put('/api/admin/attestations/os-images/:os_image_hash', {
    config: admin,
    schema: {
      operationId: 'registerOsImage',
      tags: TAGS,
      summary: 'Register the reference boot measurements (MRTD, RTMR0..2) of a dstack OS image',
      description: 'The expected MRTD and RTMR0..2 of a dstack OS image, keyed by its hash; the `os` check of a task compares the quote with them. Replaces an earlier registration.',
      params: OsImageParams,
      body: OsImageBodySchema,
      response: { 200: jsonResponse('The registered reference', OsImageSchema), ...errorResponses(400, 401) },
    },
  }, async (request) => registerOsImage(deps, request.params.os_image_hash, request.body, adminActor(request)));
  r.delete('/api/admin/attestations/os-images/:os_image_hash', {
    config: admin,
    schema: {
      operationId: 'removeOsImage',
      tags: TAGS,
      summary: 'Stop trusting a dstack OS image (delete its reference measurements)',
      description: 'Later tasks booted from this image fail the `os` check as for any unregistered image; finished tasks keep their verdict. 404 when no reference has this hash.',
      params: OsImageParams,
      response: { 200: jsonResponse('The reference, now removed', OsImageSchema), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const removed = await removeOsImage(deps, request.params.os_image_hash, adminActor(request));
    if (!removed) throw new ApiError('NOT_FOUND', `no OS image reference ${request.params.os_image_hash}`);
    return removed;
  });
  r.get('/api/admin/attestations/os-images', {
    config: admin,
    schema: { operationId: 'listOsImages', tags: TAGS, summary: 'Registered OS image references', description: 'Every registered dstack OS image reference.', response: { 200: jsonResponse('Registered references', z.array(OsImageSchema)), ...errorResponses(401) } },
  }, async () => listOsImages(deps));

  // ---- Public ----
  r.get('/api/v1/attestation-results/jwks.json', {
    config: open,
    schema: { operationId: 'getAttestationResultJwks', tags: TAGS, summary: 'Keys that verify signed attestation results (JWK Set)', description: 'Ed25519 public keys that verify the `attestationResult` JWTs of tasks, active and retired.', response: { 200: jsonResponse('The JWK Set', JwksSchema) } },
  }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return publishResultKeys(deps);
  });
  r.get('/health', {
    config: open,
    schema: { operationId: 'getHealth', tags: ['Health'], summary: 'Basic health check (the seed\'s; same as /healthz)', description: 'The seed API\'s liveness check, kept for its clients; same as /healthz.', response: { 200: jsonResponse('The process is up', z.object({ status: z.literal('ok') })) } },
  }, async () => ({ status: 'ok' as const }));
  r.get('/health/detailed', {
    config: { access: access.publicRateLimited },
    schema: {
      operationId: 'getDetailedHealth',
      tags: ['Health'],
      summary: 'Database, task queue (depth, paused) and object storage; 503 when one is down',
      description: 'Checks the database, the task queue (depth, paused) and object storage; 503 with the same body when one is down.',
      response: { 200: jsonResponse('Every dependency is up', DetailedHealthSchema), 503: jsonResponse('A dependency is down (see which)', DetailedHealthSchema) },
    },
  }, async (_request, reply) => {
    const health = await checkHealth(deps);
    return reply.code(health.status === 'ok' ? 200 : 503).send(health);
  });
}
