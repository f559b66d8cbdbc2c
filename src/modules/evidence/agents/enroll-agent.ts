import { createHash, X509Certificate } from 'node:crypto';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { generateToken, hashToken } from '#platform/crypto/tokens.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import { makeAgentCertificate } from './agent-pki.ts';
import { openAgentCa } from './open-agent-ca.ts';
import { readCsr, type CsrRefusal } from './read-csr.ts';

export type EnrollmentRefusal = 'UNKNOWN' | 'USED' | 'EXPIRED';

export type EnrolledAgent = {
  agentId: string;
  clientId: string;
  certificatePem: string;
  /** The agent CA's certificate (the chain above the agent's own), PEM. */
  chainPem: string[];
  agentCaId: string;
  /** `vag_...`: the ingest credential, shown once. */
  credential: string;
  notAfter: Date;
};

export type EnrollAgentResult =
  | { ok: true; value: EnrolledAgent }
  | { ok: false; code: 'INVALID_ENROLLMENT_TOKEN'; reason: EnrollmentRefusal; message: string }
  | { ok: false; code: 'INVALID_CSR'; reason: CsrRefusal; message: string };

const TOKEN_MESSAGES: Record<EnrollmentRefusal, string> = {
  UNKNOWN: 'unknown enrollment token',
  USED: 'this enrollment token was used already (each enrolls one agent)',
  EXPIRED: 'this enrollment token has expired (tokens last 24 hours)',
};

const pem = (der: Buffer) => new X509Certificate(der).toString();

type EnrollmentRow = { id: string; client_id: string; client_name: string; name: string | null; expires_at: Date; used_at: Date | null };

/**
 * POST /ingest/v1/enroll: the CSR is checked first (a refused CSR leaves the token usable), then
 * in one transaction the token is consumed (single use, within 24 hours), the partner's agent CA
 * (created on first use) issues the agent its certificate, and the agent is stored with the hash
 * of a new ingest credential. The agent's private key never reaches the platform.
 */
export async function enrollAgent(deps: { pool: Pool; clock: Clock; secretBox: SecretBox }, token: string | undefined, csr: Buffer): Promise<EnrollAgentResult> {
  const refusal = (reason: EnrollmentRefusal): EnrollAgentResult => ({ ok: false, code: 'INVALID_ENROLLMENT_TOKEN', reason, message: TOKEN_MESSAGES[reason] });
  if (!token?.startsWith('enr_')) return refusal('UNKNOWN');
  const request = readCsr(csr);
  if (!request.ok) return { ok: false, code: 'INVALID_CSR', reason: request.reason, message: request.message };
  const now = deps.clock.now();
  return inTransaction(deps.pool, async (tx) => {
    const { rows } = await tx.query<EnrollmentRow>(
      `SELECT e.id, e.client_id, c.name AS client_name, e.name, e.expires_at, e.used_at
         FROM evidence_enrollments e JOIN api_clients c ON c.id = e.client_id
        WHERE e.token_hash = $1 AND c.disabled_at IS NULL FOR UPDATE OF e`,
      [hashToken(token)],
    );
    const enrollment = rows[0];
    if (!enrollment) return refusal('UNKNOWN');
    if (enrollment.used_at) return refusal('USED');
    if (enrollment.expires_at <= now) return refusal('EXPIRED');

    const ca = await openAgentCa(tx, deps, { id: enrollment.client_id, name: enrollment.client_name }, now);
    const agentId = newId('agt', now.getTime());
    const issued = await makeAgentCertificate(ca, { agentId, spki: request.spki }, now);
    const credential = generateToken('vag');
    await tx.query(
      `INSERT INTO evidence_agents (id, client_id, agent_ca_id, enrollment_id, name, certificate, serial_number, sha256_fingerprint, key_algorithm, not_after, credential_hash, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [agentId, enrollment.client_id, ca.id, enrollment.id, enrollment.name, issued.der, issued.serialHex, createHash('sha256').update(issued.der).digest('hex'),
        request.keyAlgorithm, issued.notAfter, hashToken(credential), now],
    );
    await tx.query('UPDATE evidence_enrollments SET used_at = $2, agent_id = $3 WHERE id = $1', [enrollment.id, now, agentId]);
    return {
      ok: true,
      value: { agentId, clientId: enrollment.client_id, certificatePem: pem(issued.der), chainPem: [pem(ca.certificate)], agentCaId: ca.id, credential, notAfter: issued.notAfter },
    };
  });
}
