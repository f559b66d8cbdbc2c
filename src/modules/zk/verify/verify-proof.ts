import type { Clock } from '#platform/clock.ts';
import type { Db } from '#platform/db/database.ts';
import { newId } from '#platform/ids.ts';
import { captureTraceContext } from '#platform/telemetry/tracing.ts';
import type { AuditActor } from '#modules/audit/record-audit.ts';
import type { CircuitKeyring } from '../circuits/circuit-keyring.ts';
import { findCircuit, type CircuitLookupDeps } from '../circuits/find-circuits.ts';
import { canonicalizeVerifierDomain } from '../credentials/binding.ts';
import { parsePublicSignals } from '../credentials/public-signals.ts';
import type { Groth16VerifierPool } from '../groth16/verifier-pool.ts';
import { parseStatement } from '../groth16/parse-statement.ts';
import { canonicalNonce } from './canonical-nonce.ts';
import { expectedParam } from './claim-params.ts';
import type { NonceStateReader } from './read-nonce-states.ts';
import type { VerificationRecorder } from './record-verifications.ts';
import type { ProofVerifyRequest } from './schema.ts';
import type { SuspectPartners } from './suspect-partners.ts';
import { reject, type VerifyOutcome } from './verify-outcome.ts';

export type VerifyDeps = CircuitLookupDeps & { db: Db; clock: Clock; verifier: Groth16VerifierPool; keyring: CircuitKeyring; nonceStates: NonceStateReader; verifications: VerificationRecorder; suspects: SuspectPartners };

/**
 * POST /api/v1/verify after auth, scope and idempotency: circuit -> structure -> request ->
 * nonce not used yet (a read, one for the verifications arriving together: a replay costs no
 * pairing) -> Groth16, outside any transaction (a pooled connection is not held while the
 * verifier batches) -> the recorder's transaction, shared with concurrent verifications: nonce claimed (the authority: of two concurrent uses, one fails
 * there) -> semantic checks -> proof, audit, usage, ledger and webhook outbox rows.
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
  const { proofRequest, used } = await deps.nonceStates(nonce, clientId);
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

  if (used) return reject('NONCE_REPLAY', 'this nonce was already used');
  // Announced while the pairing runs, so that the recorder's batches wait for it (briefly) under load.
  const recording = deps.verifications.announce();
  try {
    const pairing = await deps.verifier.verify(key.keyId, input.proof, input.public_signals, { alone: deps.suspects.has(clientId) });
    if (!pairing.ok) throw new Error(`verifier refused a parsed statement: ${pairing.code}`);
    deps.suspects.record(clientId, pairing.valid);

    return await recording.submit({
      proofId: newId('prf'),
      clientId,
      input,
      actor,
      nonce,
      domain,
      now,
      pairingValid: pairing.valid,
      signals: signals.value,
      expectedParam: param.param,
      proofRequestId: proofRequest?.id ?? null,
      traceContext: captureTraceContext(),
    });
  } finally {
    recording.withdraw();
  }
}
