// Builds the request bodies from the proof pool, including the tampered (checked-but-invalid) ones.
import mcl from 'mcl-wasm';
import { initMcl } from '#modules/zk/groth16/mcl-bn254.ts';
import { proofPoints, withPoints } from '#modules/zk/groth16/fixtures/tamper.ts';
import type { PooledProof, ProofPool } from './proof-pool.ts';
import { BENCH_DOMAIN } from './proof-pool.ts';
import type { RequestFixtures } from './workloads.ts';

const CIRCUIT_VERSION = '1.0.0'; // the bundled circuit, registered at the server's first start

function verifyBody(pooled: PooledProof, proof: unknown, claimType = 'age_over_18'): string {
  return JSON.stringify({
    claim_type: claimType,
    circuit_version: CIRCUIT_VERSION,
    proof,
    public_signals: pooled.publicSignals,
    request: { nonce: pooled.nonce, verifier_domain: BENCH_DOMAIN },
  });
}

/**
 * C' = C + A: still a point of G1 (on the curve, in the subgroup), so the proof parses and every
 * structural check passes; only the pairing equation fails. The whole pipeline runs.
 */
function tamperedProof(pooled: PooledProof): unknown {
  const { a, c } = proofPoints(pooled.proof);
  return withPoints(pooled.proof, { c: mcl.add(c, a) });
}

export async function buildRequestFixtures(pool: ProofPool, apiKeys: string[]): Promise<RequestFixtures> {
  await initMcl();
  const first = pool.proofs[0]!;
  return {
    apiKeys,
    validBodies: pool.proofs.map((pooled) => verifyBody(pooled, pooled.proof)),
    invalidBodies: pool.proofs.map((pooled) => verifyBody(pooled, tamperedProof(pooled))),
    badScopeBody: verifyBody(first, first.proof, 'age_over_21'),
    malformedBody: JSON.stringify({ ...JSON.parse(verifyBody(first, first.proof)), public_signals: 'not-an-array' }),
  };
}
