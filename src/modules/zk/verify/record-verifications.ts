import { createHash } from 'node:crypto';
import { createGroupCommit, type GroupCommit } from '#platform/db/group-commit.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { composeStatements, uniqueViolation, type Statement } from '#platform/db/statement.ts';
import type { TraceContext } from '#platform/telemetry/tracing.ts';
import { auditsStatement, type AuditActor } from '#modules/audit/record-audit.ts';
import { ledgerEntriesStatement } from '#modules/ledger/append-ledger-entry.ts';
import { usagesStatement } from '#modules/metering/record-usage.ts';
import { webhookEventsStatement } from '#modules/webhooks/enqueue-webhook-event.ts';
import { computeBinding } from '../credentials/binding.ts';
import type { PublicSignals } from '../credentials/public-signals.ts';
import { isTrustedIssuer, type IssuerTrustDeps } from '../issuers/is-trusted-issuer.ts';
import { checkStatement } from './check-statement.ts';
import type { ProofVerifyRequest } from './schema.ts';
import { reject, type VerifyOutcome } from './verify-outcome.ts';

/** A verification whose Groth16 check is done: what its transaction must claim, decide and write. */
export type CheckedVerification = {
  proofId: string;
  clientId: string;
  input: ProofVerifyRequest;
  actor: AuditActor;
  /** Canonical forms (see canonicalNonce, canonicalizeVerifierDomain). */
  nonce: string;
  domain: string;
  now: Date;
  pairingValid: boolean;
  signals: PublicSignals;
  expectedParam: bigint;
  proofRequestId: string | null;
  /** The request's trace: the batch's transaction runs in one caller's context, each webhook continues its own. */
  traceContext: TraceContext | undefined;
};

export type VerificationRecorder = GroupCommit<CheckedVerification, VerifyOutcome>;

// Sized by bench:http: at 16-64 clients batches stay well under 64; two in flight keep PostgreSQL
// busy while the next batch gathers, and leave the pool's other connections to everything else.
// Waiting up to 4 ms for verifications announced (in their pairing check) doubled the batches at
// 16 clients (~3 -> ~6.5 a batch): runs in turn 228 -> 338 req/s, p99 138 -> 85 ms, PostgreSQL CPU 48 -> 35 %.
// Writing a batch as one statement instead of a transaction of ten: 299.5 -> 356.2 req/s (docs/performance.md).
const MAX_BATCH = 64;
const MAX_IN_FLIGHT = 2;
const GATHER_MS = 4;

/**
 * Concurrent verifications share their writes (group commit): under load a batch of them costs
 * one statement that writes everything (and a read of its issuers' trust unless served from memory).
 */
export function createVerificationRecorder(deps: IssuerTrustDeps & { pool: Pool }): VerificationRecorder {
  return createGroupCommit((batch) => recordVerifications(deps, batch), { maxBatch: MAX_BATCH, maxInFlight: MAX_IN_FLIGHT, gatherMs: GATHER_MS });
}

/** SHA-256 over the canonical signals: stored instead of the signals themselves. */
function publicHash(signals: string[]): Buffer {
  return createHash('sha256').update(signals.join(',')).digest();
}

type Decided = { item: CheckedVerification; outcome: VerifyOutcome & { kind: 'verified' | 'failed' }; signalsHash: Buffer };

/**
 * Semantic checks first (the issuers' trust read once per issuer in the batch), then one statement
 * claims every nonce and writes every row: proof, proof request, audit, usage, ledger and webhook
 * outbox. A nonce claimed already (a replay racing its first use, or twice in the batch) breaks
 * that statement, which then changes nothing; the batch is written again in a transaction that
 * claims what it can (the authority: of two uses of a nonce, in one batch or in two, exactly one
 * claims it; the others are NONCE_REPLAY) and writes those.
 */
async function recordVerifications(deps: IssuerTrustDeps & { pool: Pool }, batch: CheckedVerification[]): Promise<VerifyOutcome[]> {
  const decided = await decide(deps, batch);
  try {
    await deps.pool.query(composeStatements([claimNoncesStatement(batch, 'all'), ...outcomeStatements(decided)]));
    return decided.map(({ outcome }) => outcome);
  } catch (error) {
    if (uniqueViolation(error) !== 'used_nonces_pkey') throw error;
  }
  return inTransaction(deps.pool, async (tx) => {
    const claimed = await tx.query<{ proof_id: string }>(claimNoncesStatement(batch, 'unclaimed'));
    const claimedIds = new Set(claimed.rows.map((row) => row.proof_id));
    const recorded = decided.filter(({ item }) => claimedIds.has(item.proofId));
    if (recorded.length > 0) await tx.query(composeStatements(outcomeStatements(recorded)));
    return decided.map(({ item, outcome }) => (claimedIds.has(item.proofId) ? outcome : reject('NONCE_REPLAY', 'this nonce was already used')));
  });
}

async function decide(deps: IssuerTrustDeps, batch: CheckedVerification[]): Promise<Decided[]> {
  const issuerOf = (item: CheckedVerification) => `${item.input.claim_type}:${item.signals.issuerAx}:${item.signals.issuerAy}`;
  const lookups = new Map<string, Promise<boolean>>();
  for (const item of batch) {
    if (item.pairingValid && !lookups.has(issuerOf(item))) lookups.set(issuerOf(item), isTrustedIssuer(deps, item.input.claim_type, item.signals.issuerAx, item.signals.issuerAy));
  }
  // Issuers repeat, so few reads per batch, run side by side.
  const trusted = new Map(await Promise.all([...lookups].map(async ([issuer, lookup]) => [issuer, await lookup] as const)));
  return batch.map((item) => {
    const check = item.pairingValid
      ? checkStatement({
          signals: item.signals,
          issuerTrusted: trusted.get(issuerOf(item))!,
          now: item.now,
          expectedParam: item.expectedParam,
          expectedBinding: computeBinding(item.input.request.nonce, item.domain),
        })
      : ({ ok: false, code: 'INVALID_PROOF', message: 'the Groth16 proof does not verify' } as const);
    const ts = item.now.toISOString();
    const outcome = check.ok ? ({ kind: 'verified', proofId: item.proofId, ts } as const) : ({ kind: 'failed', proofId: item.proofId, ts, code: check.code, message: check.message } as const);
    return { item, outcome, signalsHash: publicHash(item.input.public_signals) };
  });
}

/** 'all': a nonce used already breaks the statement; 'unclaimed': it is skipped, and the claimed ones' proof ids returned. */
function claimNoncesStatement(batch: CheckedVerification[], claim: 'all' | 'unclaimed'): Statement {
  return {
    name: `zk-claim-nonces-${claim}`,
    text: `INSERT INTO used_nonces (client_id, nonce, used_at, proof_id)
           SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[])${claim === 'unclaimed' ? ' ON CONFLICT DO NOTHING RETURNING proof_id' : ''}`,
    values: [batch.map((item) => item.clientId), batch.map((item) => item.nonce), batch.map((item) => item.now), batch.map((item) => item.proofId)],
  };
}

/** The rows of decided verifications whose nonces are claimed, as statements to compose. */
function outcomeStatements(rows: Decided[]): Statement[] {
  const withRequest = rows.filter(({ item }) => item.proofRequestId !== null);
  return [
    {
      name: 'zk-insert-proofs',
      text: `INSERT INTO proofs (id, client_id, claim_type, circuit_version, status, failure_code, public_hash, request_nonce, proof_request_id, created_at, verified_at)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[])`,
      values: [
        rows.map(({ item }) => item.proofId),
        rows.map(({ item }) => item.clientId),
        rows.map(({ item }) => item.input.claim_type),
        rows.map(({ item }) => item.input.circuit_version),
        rows.map(({ outcome }) => outcome.kind),
        rows.map(({ outcome }) => (outcome.kind === 'failed' ? outcome.code : null)),
        rows.map(({ signalsHash }) => signalsHash),
        rows.map(({ item }) => item.nonce),
        rows.map(({ item }) => item.proofRequestId),
        rows.map(({ item }) => item.now),
        rows.map(({ item, outcome }) => (outcome.kind === 'verified' ? item.now : null)),
      ],
    },
    ...(withRequest.length > 0
      ? [
          {
            name: 'zk-use-proof-requests',
            text: 'UPDATE proof_requests SET used_at = used.at FROM unnest($1::text[], $2::timestamptz[]) AS used (id, at) WHERE proof_requests.id = used.id',
            values: [withRequest.map(({ item }) => item.proofRequestId), withRequest.map(({ item }) => item.now)],
          },
        ]
      : []),
    auditsStatement(
      rows.map(({ item, outcome }) => ({
        actor: item.actor,
        entry: {
          action: `proof.${outcome.kind}`,
          targetType: 'proof',
          targetId: item.proofId,
          details: { claim_type: item.input.claim_type, circuit_version: item.input.circuit_version, ...(outcome.kind === 'failed' ? { failure_code: outcome.code } : {}) },
        },
        at: item.now,
      })),
    ),
    usagesStatement(rows.map(({ item, outcome }) => ({ clientId: item.clientId, kind: 'zk.verify', claimType: item.input.claim_type, outcome: outcome.kind, subjectId: item.proofId, at: item.now }))),
    ledgerEntriesStatement(
      rows.map(({ item, outcome, signalsHash }) => ({ kind: 'zk_proof', public_id: item.proofId, claim_type: item.input.claim_type, status: outcome.kind, public_hash: signalsHash.toString('hex'), ts: outcome.ts })),
    ),
    webhookEventsStatement(
      rows.map(({ item, outcome }) => ({
        clientId: item.clientId,
        type: `proof.${outcome.kind}`,
        subjectId: item.proofId,
        payload: { event: `proof.${outcome.kind}`, proof_id: item.proofId, claim_type: item.input.claim_type, status: outcome.kind, ts: outcome.ts },
        traceContext: item.traceContext,
      })),
    ).statement,
  ];
}
