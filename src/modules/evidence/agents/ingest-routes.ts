import type { FastifyInstance, FastifyRequest } from 'fastify';
import { access } from '#platform/http/route-access.ts';
import { createJobSender } from '#platform/queue/job-sender.ts';
import type { Queue } from '#platform/queue/queue.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { VerifyEvidenceJob } from '../jobs.ts';
import { registerSubmitRoute } from '../submit-route.ts';
import type { EvidenceSender } from '../submit-evidence.ts';

export type IngestRouteDeps = {
  pool: Pool;
  clock: Clock;
  storage: ObjectStorage;
  /**
   * pg-boss, for `serve` (which registers the evidence.verify queue on first use). Absent in
   * `veridity ingest`: its role cannot touch pg-boss, the queue is the evidence worker's to register.
   */
  queue?: () => Promise<Queue>;
  publicUrl: string;
};

/** The agent the credential of this request belongs to (set by the agent authentication hook). */
function agentOf(request: FastifyRequest): EvidenceSender {
  const agent = request.agent;
  if (!agent) throw new Error('an ingest route ran without agent authentication');
  return { clientId: agent.clientId, agent: { id: agent.id, credentialHash: agent.credentialHash } };
}

const queueRegisteredElsewhere = async (): Promise<void> => {};

/**
 * The ingest gateway: POST /ingest/v1/proofs for enrolled agents only (their `vag_` credential,
 * nothing else), with the semantics of POST /api/v1/proofs; the submission is the agent's
 * partner's and records the agent. Served by `serve` and by `veridity ingest`.
 */
export async function registerIngestRoutes(app: FastifyInstance, deps: IngestRouteDeps): Promise<void> {
  const ensureQueue = deps.queue ? createJobSender(deps.queue, VerifyEvidenceJob).ready : queueRegisteredElsewhere;
  await registerSubmitRoute(app, { ...deps, ensureQueue }, {
    url: '/ingest/v1/proofs',
    config: { access: access.agent },
    operationId: 'ingestEvidence',
    tags: ['Evidence agents'],
    sender: agentOf,
    description: 'the partner follows it with GET /api/v1/proofs/{id} (`agent_id` names the agent) or its webhooks.',
  });
}
