import type { Db } from '#platform/db/database.ts';
import type { Pool } from '#platform/db/pool.ts';
import { getTask } from '#modules/attestations/get-task.ts';
import { CERTIFICATE_KIND } from '#modules/certificates/certificate-ledger.ts';
import { getCertificate } from '#modules/certificates/get-certificate.ts';
import { findLedgerEntry } from '#modules/ledger/find-ledger-entry.ts';
import { getProofStatus } from '#modules/zk/verify/get-proof-status.ts';
import type { RegistryAgentRow } from './tables.ts';

export const EVIDENCE_KINDS = { prf: 'zk_proof', tsk: 'tee_task', crt: 'certificate' } as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[keyof typeof EVIDENCE_KINDS];

/** Evidence Veridity verified for the partner, as a work record names it (ledger kind and public id: what anyone can look up). */
export type CheckedEvidence = {
  kind: EvidenceKind;
  id: string;
  ledgerKind: string;
  ledgerPublicId: string;
  verifiedAt: Date;
  tee: { app_id: string; compose_hash: string | null } | null;
};

export type EvidenceFailure =
  | { ok: false; code: 'EVIDENCE_UNKNOWN' | 'EVIDENCE_REVOKED'; message: string }
  | { ok: false; code: 'EVIDENCE_NOT_VERIFIED'; message: string; reason: 'FAILED' | 'PENDING' | 'INVALID' | 'NOT_LOGGED' }
  | { ok: false; code: 'TEE_APP_MISMATCH'; message: string; reason: 'NO_TEE_DECLARED' | 'NOT_DSTACK' | 'APP_ID' | 'COMPOSE_HASH' };

type Deps = { pool: Pool; db: Db };
type Found = { ok: true; value: CheckedEvidence } | EvidenceFailure;

const notVerified = (reason: 'FAILED' | 'PENDING' | 'INVALID' | 'NOT_LOGGED', message: string): EvidenceFailure => ({ ok: false, code: 'EVIDENCE_NOT_VERIFIED', message, reason });
const mismatch = (reason: 'NO_TEE_DECLARED' | 'NOT_DSTACK' | 'APP_ID' | 'COMPOSE_HASH', message: string): EvidenceFailure => ({ ok: false, code: 'TEE_APP_MISMATCH', message, reason });
const unknown = (id: string): EvidenceFailure => ({ ok: false, code: 'EVIDENCE_UNKNOWN', message: `no evidence ${id} of yours` });

async function checkProof(deps: Deps, clientId: string, id: string): Promise<Found> {
  const proof = await getProofStatus(deps, clientId, id);
  if (!proof) return unknown(id);
  if (proof.status !== 'verified') return notVerified(proof.status === 'failed' ? 'FAILED' : 'PENDING', `proof ${id} is ${proof.status}${proof.failure_code ? ` (${proof.failure_code})` : ''}`);
  return { ok: true, value: { kind: 'zk_proof', id, ledgerKind: 'zk_proof', ledgerPublicId: id, verifiedAt: new Date(proof.ts), tee: null } };
}

async function checkTask(deps: Deps, clientId: string, id: string, agent: RegistryAgentRow): Promise<Found> {
  const task = await getTask(deps, clientId, id);
  if (!task) return unknown(id);
  if (task.status !== 'completed') return notVerified(task.status === 'failed' ? 'FAILED' : 'PENDING', `task ${id} is ${task.status}`);
  if (!task.isValid || !task.result) return notVerified('INVALID', `task ${id} appraised the evidence as not valid: ${task.result?.reason ?? 'no result'}`);
  if (!agent.tee) return mismatch('NO_TEE_DECLARED', `agent ${agent.id} declares no TEE app (set tee.app_id on the agent)`);
  const app = task.result.details.appInfo;
  if (task.result.evidenceKind !== 'dstack' || !app?.appId) return mismatch('NOT_DSTACK', `task ${id} attests no dstack app (a plain quote names no app id)`);
  if (app.appId.toLowerCase() !== agent.tee.app_id) return mismatch('APP_ID', `task ${id} attests app ${app.appId}, agent ${agent.id} declares ${agent.tee.app_id}`);
  if (agent.tee.compose_hash && app.composeHash?.toLowerCase() !== agent.tee.compose_hash) {
    return mismatch('COMPOSE_HASH', `task ${id} attests compose hash ${app.composeHash}, agent ${agent.id} declares ${agent.tee.compose_hash}`);
  }
  return {
    ok: true,
    value: { kind: 'tee_task', id, ledgerKind: 'tee_task', ledgerPublicId: id, verifiedAt: new Date(task.finishedAt!), tee: { app_id: app.appId.toLowerCase(), compose_hash: app.composeHash?.toLowerCase() ?? null } },
  };
}

async function checkCertificate(deps: Deps, clientId: string, id: string): Promise<Found> {
  const certificate = await getCertificate(deps, clientId, id);
  if (!certificate) return unknown(id);
  if (certificate.revokedAt) return { ok: false, code: 'EVIDENCE_REVOKED', message: `certificate ${id} was revoked` };
  return { ok: true, value: { kind: 'certificate', id, ledgerKind: CERTIFICATE_KIND, ledgerPublicId: certificate.publicId, verifiedAt: certificate.createdAt, tee: null } };
}

/**
 * Checks the evidence a work record rests on, through the owning modules' reads: the partner's own
 * proof (verified), TEE task (completed and valid, from the dstack app the agent declares) or
 * certificate (not revoked), and its ledger entry. Another partner's id is as unknown as a wrong one.
 */
export async function checkWorkEvidence(deps: Deps, clientId: string, evidenceId: string, agent: RegistryAgentRow): Promise<Found> {
  const prefix = evidenceId.slice(0, 3) as keyof typeof EVIDENCE_KINDS;
  const found = prefix === 'prf' ? await checkProof(deps, clientId, evidenceId)
    : prefix === 'tsk' ? await checkTask(deps, clientId, evidenceId, agent)
    : await checkCertificate(deps, clientId, evidenceId);
  if (!found.ok) return found;
  const entry = await findLedgerEntry(deps, { kind: found.value.ledgerKind, publicId: found.value.ledgerPublicId });
  if (!entry.logged) return notVerified('NOT_LOGGED', `${evidenceId} has no ledger entry`);
  return found;
}
