import { createHash } from 'node:crypto';
import type { Clock } from '#platform/clock.ts';
import type { Db } from '#platform/db/database.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { recordUsage } from '#modules/metering/record-usage.ts';
import { enqueueWebhookEvent } from '#modules/webhooks/enqueue-webhook-event.ts';
import { appendLedgerEntry } from '#modules/ledger/append-ledger-entry.ts';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { CircuitKeyring } from '../circuits/circuit-keyring.ts';
import { findCircuit } from '../circuits/find-circuits.ts';
import { canonicalizeVerifierDomain, computeBinding } from '../credentials/binding.ts';
import { parsePublicSignals } from '../credentials/public-signals.ts';
import type { Groth16VerifierPool } from '../groth16/verifier-pool.ts';
import { parseStatement } from '../groth16/parse-statement.ts';
import { isTrustedIssuer } from '../issuers/is-trusted-issuer.ts';
import { canonicalNonce } from './canonical-nonce.ts';
import { checkStatement, type StatementFailureCode } from './check-statement.ts';
import { expectedParam } from './claim-params.ts';
import type { ProofVerifyRequest } from './schema.ts';

export type VerifyDeps = { pool: Pool; db: Db; clock: Clock; verifier: Groth16VerifierPool; keyring: CircuitKeyring };

/** Refused before any proof row exists: the nonce is not consumed. */
export type RejectionCode = 'UNKNOWN_CIRCUIT' | 'MALFORMED_PROOF' | 'INVALID_PARAMS' | 'REQUEST_EXPIRED' | 'REQUEST_MISMATCH' | 'NONCE_REPLAY';

export type VerifyOutcome =
  | { kind: 'verified'; proofId: string; ts: string }
  | { kind: 'failed'; proofId: string; ts: string; code: 'INVALID_PROOF' | StatementFailureCode; message: string }
  | { kind: 'rejected'; code: RejectionCode; message: string; detail?: string };

const reject = (code: RejectionCode, message: string, detail?: string): VerifyOutcome => ({ kind: 'rejected', code, message, ...(detail ? { detail } : {}) });

/** SHA-256 over the canonical signals: stored instead of the signals themselves. */
function publicHash(signals: string[]): Buffer {
  return createHash('sha256').update(signals.join(',')).digest();
}

/**
 * POST /api/v1/verify after auth, scope and idempotency: circuit -> structure -> request ->
 * nonce not used yet (a read: a replay costs no pairing) -> Groth16, outside any transaction (a
 * pooled connection is not held while the verifier batches) -> one transaction: nonce claimed
 * (the authority: of two concurrent uses, one fails here) -> semantic checks -> proof, audit,
 * usage, ledger and webhook outbox rows.
 */
export async function verifyProof(deps: VerifyDeps, clientId: string, input: ProofVerifyRequest, actor: AuditActor): Promise<VerifyOutcome> {
  const circuit = await findCircuit(deps, input.claim_type, input.circuit_version);
  if (!circuit || !circuit.enabled) return reject('UNKNOWN_CIRCUIT', `no enabled circuit ${input.claim_type} ${input.circuit_version}`);
  const key = await deps.keyring.ensure(circuit);
  if (!key.ok) throw new Error(`circuit ${circuit.id} has an unusable verification key: ${key.message}`);

  const signals = parsePublicSignals(input.claim_type, input.public_signals);
  if (!signals.ok) return reject('MALFORMED_PROOF', signals.message, signals.code);
  const statement = parseStatement(input.proof, input.public_signals, circuit.publicSignalCount ?? input.public_signals.length);
  if (!statement.ok) return reject('MALFORMED_PROOF', statement.message, statement.code);

  const nonce = canonicalNonce(input.request.nonce);
  const domain = canonicalizeVerifierDomain(input.request.verifier_domain);
  const now = deps.clock.now();
  const stored = await deps.pool.query<{ id: string; client_id: string; claim_type: string; verifier_domain: string; params: Record<string, number>; expires_at: Date }>(
    'SELECT id, client_id, claim_type, verifier_domain, params, expires_at FROM proof_requests WHERE nonce = $1',
    [nonce],
  );
  const proofRequest = stored.rows[0];
  if (proofRequest) {
    // Else another partner could take, as its own nonce, the proof a holder made for this request.
    if (proofRequest.client_id !== clientId) return reject('REQUEST_MISMATCH', 'this nonce belongs to a proof request of another partner');
    if (proofRequest.claim_type !== input.claim_type || proofRequest.verifier_domain !== domain) {
      return reject('REQUEST_MISMATCH', `this nonce was issued for ${proofRequest.claim_type} at ${proofRequest.verifier_domain}`);
    }
    if (proofRequest.expires_at <= now) return reject('REQUEST_EXPIRED', `the proof request expired at ${proofRequest.expires_at.toISOString()}`);
  }
  const param = expectedParam(input.claim_type, proofRequest?.params ?? input.request.params);
  if (!param.ok) return reject('INVALID_PARAMS', param.message);

  const used = await deps.pool.query('SELECT 1 FROM used_nonces WHERE client_id = $1 AND nonce = $2', [clientId, nonce]);
  if (used.rowCount !== 0) return reject('NONCE_REPLAY', 'this nonce was already used');
  const pairing = await deps.verifier.verify(key.keyId, input.proof, input.public_signals);
  if (!pairing.ok) throw new Error(`verifier refused a parsed statement: ${pairing.code}`);

  const proofId = newId('prf');
  return inTransaction(deps.pool, async (tx) => {
    const claimed = await tx.query(
      'INSERT INTO used_nonces (client_id, nonce, used_at, proof_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [clientId, nonce, now, proofId],
    );
    if (claimed.rowCount !== 1) return reject('NONCE_REPLAY', 'this nonce was already used');

    const check = pairing.valid
      ? checkStatement({
          signals: signals.value,
          issuerTrusted: await isTrustedIssuer({ db: drizzle({ client: tx }) }, input.claim_type, signals.value.issuerAx, signals.value.issuerAy),
          now,
          expectedParam: param.param,
          expectedBinding: computeBinding(input.request.nonce, domain),
        })
      : ({ ok: false, code: 'INVALID_PROOF', message: 'the Groth16 proof does not verify' } as const);
    const status = check.ok ? 'verified' : 'failed';
    const ts = now.toISOString();
    const signalsHash = publicHash(input.public_signals);

    await tx.query(
      `INSERT INTO proofs (id, client_id, claim_type, circuit_version, status, failure_code, public_hash, request_nonce, proof_request_id, created_at, verified_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [proofId, clientId, input.claim_type, input.circuit_version, status, check.ok ? null : check.code, signalsHash, nonce, proofRequest?.id ?? null, now, check.ok ? now : null],
    );
    if (proofRequest) await tx.query('UPDATE proof_requests SET used_at = $2 WHERE id = $1', [proofRequest.id, now]);
    await recordAudit(drizzle({ client: tx }), actor, {
      action: `proof.${status}`,
      targetType: 'proof',
      targetId: proofId,
      details: { claim_type: input.claim_type, circuit_version: input.circuit_version, ...(check.ok ? {} : { failure_code: check.code }) },
    }, now);
    await recordUsage(tx, { clientId, kind: 'zk.verify', claimType: input.claim_type, outcome: status, subjectId: proofId, at: now });
    await appendLedgerEntry(tx, { kind: 'zk_proof', public_id: proofId, claim_type: input.claim_type, status, public_hash: signalsHash.toString('hex'), ts });
    await enqueueWebhookEvent(tx, {
      clientId,
      type: `proof.${status}`,
      subjectId: proofId,
      payload: { event: `proof.${status}`, proof_id: proofId, claim_type: input.claim_type, status, ts },
    });
    return check.ok ? { kind: 'verified', proofId, ts } : { kind: 'failed', proofId, ts, code: check.code, message: check.message };
  });
}
