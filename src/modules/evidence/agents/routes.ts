import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse, textResponse } from '#platform/http/schemas.ts';
import type { AuditActor } from '#modules/audit/record-audit.ts';
import { requireScope } from '#modules/clients/partner-auth.ts';
import { EVIDENCE_SCOPE } from '#modules/clients/schema.ts';
import { acceptRawBodies } from '../raw-bodies.ts';
import { createEnrollment } from './create-enrollment.ts';
import { enrollAgent } from './enroll-agent.ts';
import { getAgentCrl } from './get-agent-crl.ts';
import { listAgents } from './list-agents.ts';
import { revokeAgent } from './revoke-agent.ts';
import {
  AgentCaIdParams,
  AgentIdParams,
  AgentListSchema,
  AgentSchema,
  CSR_BODY_LIMIT_BYTES,
  CsrUploadSchema,
  crlUrl,
  EnrolledAgentSchema,
  EnrollmentRequestSchema,
  EnrollmentSchema,
  toAgent,
} from './schema.ts';

export type AgentRouteDeps = { pool: Pool; clock: Clock; secretBox: SecretBox };

const TAGS = ['Evidence agents'];
const partner = { access: access.partner([EVIDENCE_SCOPE]) };
const ENROLL_URL = '/ingest/v1/enroll';
const ENROLLMENT_BEARER = /^Bearer\s+(\S+)$/i;

const partnerActor = (request: FastifyRequest, clientId: string): AuditActor => ({ type: 'partner', id: clientId, ip: request.ip, requestId: request.id });

/** `{csr}` as JSON holds PEM text or base64 DER; the raw bodies arrive as that field too. */
const csrBytes = (csr: string) => (csr.trimStart().startsWith('-----BEGIN') ? Buffer.from(csr, 'utf8') : Buffer.from(csr, 'base64'));

/**
 * Evidence agents: enrollment tokens, the partner's agents and their revocation (partner API),
 * the enrollment itself and the agent CAs' CRLs (under /ingest/v1, served by `serve`; they need
 * the agent CA's key, which the least-privilege ingest gateway never holds).
 */
export async function registerAgentRoutes(app: FastifyInstance, deps: AgentRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/evidence/enrollments', {
    config: { ...partner, idempotent: true, carriesSecret: true },
    schema: {
      operationId: 'createAgentEnrollment',
      tags: TAGS,
      summary: 'A one-time enrollment token for one evidence agent (shown once)',
      description:
        'The token (`enr_...`) enrolls one agent within 24 hours: the agent sends it with its CSR to POST /ingest/v1/enroll ' +
        '(`veridity agent enroll --url ... --token ...`). Only its SHA-256 is stored.',
      body: EnrollmentRequestSchema.nullish(),
      response: { 201: jsonResponse('The token, shown once', EnrollmentSchema) },
    },
  }, async (request, reply) => {
    const clientId = requireScope(request, EVIDENCE_SCOPE).id;
    const created = await createEnrollment(deps, clientId, request.body?.name, partnerActor(request, clientId));
    return reply.code(201).send({ id: created.id, token: created.token, name: created.name, expires_at: created.expiresAt.toISOString(), enroll_url: ENROLL_URL });
  });

  r.get('/api/v1/evidence/agents', {
    config: partner,
    schema: {
      operationId: 'listAgents',
      tags: TAGS,
      summary: 'Your enrolled evidence agents (revoked ones included)',
      description: 'Every agent enrolled with one of your tokens, oldest first; never their credentials.',
      response: { 200: jsonResponse('The agents', AgentListSchema) },
    },
  }, async (request) => ({ data: (await listAgents(deps, requireScope(request, EVIDENCE_SCOPE).id)).map(toAgent) }));

  r.delete('/api/v1/evidence/agents/:id', {
    config: partner,
    schema: {
      operationId: 'revokeAgent',
      tags: TAGS,
      summary: 'Revoke an agent: its credential stops and its certificate is listed on the CRL',
      description:
        'At once: the agent\'s credential answers 401 on /ingest/v1, its agent CA signs a new CRL listing the certificate, and every document ' +
        'signed with its key (before or after) that is verified from now on is rejected `CERT_REVOKED`. Revoking again answers the agent as it is.',
      params: AgentIdParams,
      response: { 200: jsonResponse('The agent, revoked', AgentSchema), ...errorResponses(404) },
    },
  }, async (request) => {
    const client = requireScope(request, EVIDENCE_SCOPE);
    const revoked = await revokeAgent(deps, client, request.params.id, partnerActor(request, client.id));
    if (!revoked) throw new ApiError('NOT_FOUND', `no agent ${request.params.id}`);
    return toAgent(revoked);
  });

  // The CSR as DER (`application/pkcs10`) or PEM (`application/x-pem-file`) beside JSON; in a scope of its own.
  await app.register(async (scope) => {
    acceptRawBodies(scope, ['application/pkcs10'], { as: 'base64', field: 'csr', bodyLimit: CSR_BODY_LIMIT_BYTES });
    acceptRawBodies(scope, ['application/x-pem-file'], { as: 'text', field: 'csr', bodyLimit: CSR_BODY_LIMIT_BYTES });
    scope.withTypeProvider<ZodTypeProvider>().post(ENROLL_URL, {
      config: { access: access.publicRateLimited, carriesSecret: true },
      bodyLimit: CSR_BODY_LIMIT_BYTES,
      schema: {
        operationId: 'enrollAgent',
        tags: TAGS,
        summary: 'Enroll an agent: enrollment token + CSR -> certificate, chain and ingest credential',
        description:
          '`Authorization: Bearer enr_...` (the one-time token from POST /api/v1/evidence/enrollments) and a PKCS#10 CSR: DER (`application/pkcs10`), ' +
          'PEM (`application/x-pem-file`) or JSON `{csr}`. The CSR\'s own signature must verify; its key must be EC P-256/P-384, Ed25519 or RSA of at least 2048 bits ' +
          '(else 400 `INVALID_CSR`, `reason` `MALFORMED_CSR`, `BAD_SIGNATURE`, `WEAK_KEY`, `UNSUPPORTED_KEY`; the token stays usable). ' +
          'An unknown, used or expired token is 401 `INVALID_ENROLLMENT_TOKEN` (`reason` `UNKNOWN`, `USED`, `EXPIRED`). The partner\'s agent CA issues a one-year certificate ' +
          '(keyUsage digitalSignature + nonRepudiation); the answer carries it, the CA certificate and the agent\'s credential for POST /ingest/v1/proofs (shown once).',
        consumes: ['application/json', 'application/pkcs10', 'application/x-pem-file'],
        body: CsrUploadSchema,
        response: { 201: jsonResponse('Enrolled', EnrolledAgentSchema), ...errorResponses(400, 401, 429) },
      },
    }, async (request, reply) => {
      const token = ENROLLMENT_BEARER.exec(request.headers.authorization ?? '')?.[1];
      const result = await enrollAgent(deps, token, csrBytes(request.body.csr));
      if (!result.ok) {
        if (result.code === 'INVALID_CSR') throw new ApiError('INVALID_CSR', `body.csr: ${result.message}`, { reason: result.reason, fields: ['body.csr'] });
        reply.header('www-authenticate', 'Bearer realm="veridity-enrollment"');
        throw new ApiError('INVALID_ENROLLMENT_TOKEN', result.message, { reason: result.reason });
      }
      const agent = result.value;
      return reply.code(201).send({
        agent_id: agent.agentId, certificate: agent.certificatePem, chain: agent.chainPem, credential: agent.credential,
        agent_ca_id: agent.agentCaId, crl_url: crlUrl(agent.agentCaId), not_after: agent.notAfter.toISOString(),
      });
    });
  });

  r.get('/ingest/v1/crl/:id', {
    config: { access: access.publicRateLimited },
    schema: {
      operationId: 'getAgentCrl',
      tags: TAGS,
      summary: 'An agent CA\'s current CRL (DER)',
      description: 'The X.509 CRL (`application/pkix-crl`) of a partner\'s agent CA, listing its revoked agents; re-signed before its `nextUpdate` (a week) passes. `Expires` is its nextUpdate.',
      params: AgentCaIdParams,
      response: { 200: textResponse('The CRL, DER', 'application/pkix-crl'), ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const crl = await getAgentCrl(deps, request.params.id);
    if (!crl) throw new ApiError('NOT_FOUND', `no agent CA ${request.params.id}`);
    return reply
      .header('content-type', 'application/pkix-crl')
      .header('expires', crl.nextUpdate.toUTCString())
      .header('cache-control', 'public, max-age=300')
      .send(crl.der as never); // bytes, sent as they are (a Buffer skips the serializer)
  });
}
