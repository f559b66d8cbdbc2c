import type { FastifyInstance, FastifyRequest } from 'fastify';
import { access } from '#platform/http/route-access.ts';
import { createJobSender } from '#platform/queue/job-sender.ts';
import type { Queue } from '#platform/queue/queue.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { VerifyEvidenceJob } from '../jobs.ts';
import { registerSubmitRoute } from '../submit-route.ts';

export type IngestRouteDeps = { pool: Pool; clock: Clock; storage: ObjectStorage; queue: () => Promise<Queue>; publicUrl: string };

/** The agent the credential of this request belongs to (set by the agent authentication hook). */
function agentOf(request: FastifyRequest): { clientId: string; agentId: string } {
  const agent = request.agent;
  if (!agent) throw new Error('an ingest route ran without agent authentication');
  return { clientId: agent.clientId, agentId: agent.id };
}

/**
 * The ingest gateway: POST /ingest/v1/proofs for enrolled agents only (their `vag_` credential,
 * nothing else), with the semantics of POST /api/v1/proofs; the submission is the agent's
 * partner's and records the agent. Served by `serve` and by `veridity ingest`.
 */
export async function registerIngestRoutes(app: FastifyInstance, deps: IngestRouteDeps): Promise<void> {
  await registerSubmitRoute(app, { ...deps, jobs: createJobSender(deps.queue, VerifyEvidenceJob) }, {
    url: '/ingest/v1/proofs',
    config: { access: access.agent },
    operationId: 'ingestEvidence',
    tags: ['Evidence agents'],
    sender: agentOf,
    description: 'the partner follows it with GET /api/v1/proofs/{id} (`agent_id` names the agent) or its webhooks.',
  });
}
