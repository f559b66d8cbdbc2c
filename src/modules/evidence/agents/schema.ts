import { z } from 'zod';
import { EXAMPLE } from '#platform/http/openapi-examples.ts';
import { IdParam } from '#platform/http/schemas.ts';
import type { AgentRow } from './list-agents.ts';

export const CSR_BODY_LIMIT_BYTES = 64 * 1024;

const AgentName = z.string().min(1).max(200).regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters');

export const EnrollmentRequestSchema = z
  .strictObject({ name: AgentName.optional().describe('A label for the agent this token enrolls (shown in GET /api/v1/evidence/agents)') })
  .meta({ id: 'EnrollmentRequest', examples: [{ name: 'Erasure station 7' }] });

export const EnrollmentSchema = z
  .object({
    id: z.string().describe('The enrollment (`aen_...`)'),
    token: z.string().describe('`enr_...`: shown once, only its hash is stored; enrolls one agent within 24 hours'),
    name: z.string().nullable(),
    expires_at: z.string(),
    enroll_url: z.string().describe('Where the agent sends its CSR with the token (`veridity agent enroll --token ...`)'),
  })
  .meta({ id: 'Enrollment', examples: [{ id: 'aen_01jz7k8m9n0p1q2r3s4t5v6w7x', token: 'enr_3q2-7wF...', name: 'Erasure station 7', expires_at: EXAMPLE.time, enroll_url: '/ingest/v1/enroll' }] });

export const CsrUploadSchema = z
  .strictObject({ csr: z.string().min(1).max(CSR_BODY_LIMIT_BYTES).describe('The PKCS#10 CSR: PEM, or DER as base64') })
  .meta({ id: 'CsrUpload', examples: [{ csr: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB...\n-----END CERTIFICATE REQUEST-----\n' }] });

export const EnrolledAgentSchema = z
  .object({
    agent_id: z.string(),
    certificate: z.string().describe('The agent certificate, PEM: CN = agent id, keyUsage digitalSignature + nonRepudiation, one year'),
    chain: z.array(z.string()).describe('The certificates above it, PEM: the partner\'s agent CA'),
    credential: z.string().describe('`vag_...`: the Bearer credential for POST /ingest/v1/proofs; shown once, only its hash is stored'),
    agent_ca_id: z.string(),
    crl_url: z.string(),
    not_after: z.string(),
  })
  .meta({ id: 'EnrolledAgent' });

export const AgentSchema = z
  .object({
    id: z.string().describe('`agt_...`'),
    name: z.string().nullable(),
    status: z.enum(['active', 'revoked']),
    agent_ca_id: z.string(),
    crl_url: z.string().describe('The agent CA\'s CRL (DER), where a revoked agent is listed'),
    serial_number: z.string().describe('Of the agent certificate, lowercase hex'),
    sha256_fingerprint: z.string().describe('Of the agent certificate (DER), hex'),
    key_algorithm: z.string().describe('`EC P-256`, `EC P-384`, `Ed25519` or `RSA <bits>`'),
    not_after: z.string(),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .meta({ id: 'Agent' });

export const AgentListSchema = z.object({ data: z.array(AgentSchema) }).meta({ id: 'AgentList' });
export const AgentIdParams = z.strictObject({ id: IdParam('agt') });
export const AgentCaIdParams = z.strictObject({ id: IdParam('aca') });

export const crlUrl = (caId: string) => `/ingest/v1/crl/${caId}`;

export function toAgent(row: AgentRow): z.infer<typeof AgentSchema> {
  return {
    id: row.id,
    name: row.name,
    status: row.revokedAt ? 'revoked' : 'active',
    agent_ca_id: row.agentCaId,
    crl_url: crlUrl(row.agentCaId),
    serial_number: row.serialNumber,
    sha256_fingerprint: row.sha256Fingerprint,
    key_algorithm: row.keyAlgorithm,
    not_after: row.notAfter.toISOString(),
    created_at: row.createdAt.toISOString(),
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}
