import {
  hasBadHash,
  type InclusionClaim,
  isTreeSize as isSize,
  type ProofFailure,
  type ProofFailureCode,
  rootFromInclusionProof as rootFromInclusionProofSteps,
} from '#client/tlog/merkle.ts';
import { runWithNodeCrypto } from '#platform/crypto/run-crypto-steps.ts';
import { emptyTreeRoot, HASH_SIZE, hashChildren } from './merkle-hash.ts';
import { isPowerOfTwo } from './subtrees.ts';

/**
 * Offline verification of inclusion and consistency proofs, following the RFC 9162
 * section 2.1.3.2 and 2.1.4.2 algorithms step by step. Pure: no storage, no throwing on bad input.
 * The inclusion check is the client SDK's (sdk/client/src/tlog/merkle.ts); consistency is the log's own.
 */

export type { InclusionClaim, ProofFailure, ProofFailureCode };
export type ProofCheck = { ok: true } | ProofFailure;

export type ConsistencyClaim = {
  readonly size1: number;
  readonly size2: number;
  readonly proof: readonly Uint8Array[];
  readonly root1: Uint8Array;
  readonly root2: Uint8Array;
};

function fail(code: ProofFailureCode, message: string): ProofFailure {
  return { ok: false, code, message };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** The root an inclusion proof leads to (RFC 9162 section 2.1.3.2 steps 1-5, without the final comparison): the client SDK's. */
export function rootFromInclusionProof(claim: InclusionClaim): { ok: true; rootHash: Buffer } | ProofFailure {
  const computed = runWithNodeCrypto(rootFromInclusionProofSteps(claim));
  return computed.ok ? { ok: true, rootHash: Buffer.from(computed.rootHash) } : computed;
}

export function verifyInclusion(claim: InclusionClaim & { readonly rootHash: Uint8Array }): ProofCheck {
  if (claim.rootHash.length !== HASH_SIZE) return fail('BAD_HASH_LENGTH', `hashes must be ${HASH_SIZE} bytes`);
  const computed = rootFromInclusionProof(claim);
  if (!computed.ok) return computed;
  if (!equalBytes(computed.rootHash, claim.rootHash)) {
    return fail('ROOT_MISMATCH', 'inclusion proof does not lead to the expected root');
  }
  return { ok: true };
}

export function verifyConsistency(claim: ConsistencyClaim): ProofCheck {
  const { size1, size2, proof, root1, root2 } = claim;
  if (!isSize(size1) || !isSize(size2) || size1 > size2) {
    return fail('INVALID_SIZE', `no consistency between sizes ${size1} and ${size2}`);
  }
  if (hasBadHash([root1, root2, ...proof])) return fail('BAD_HASH_LENGTH', `hashes must be ${HASH_SIZE} bytes`);

  // Trivial cases the RFC leaves implicit: equal trees, and the empty tree (a prefix of every tree).
  if (size1 === size2 || size1 === 0) {
    if (proof.length !== 0) return fail('WRONG_PROOF_LENGTH', 'a trivial consistency proof must be empty');
    const expected1 = size1 === 0 ? emptyTreeRoot() : root2;
    if (!equalBytes(root1, expected1)) return fail('ROOT_MISMATCH', 'first root does not match');
    return { ok: true };
  }

  // Step 1-2: a power-of-two old tree is itself a node of the new tree and is left out of the proof.
  if (proof.length === 0) return fail('WRONG_PROOF_LENGTH', 'consistency proof is empty');
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;

  // Steps 3-4.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }

  // Steps 5-6.
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) return fail('WRONG_PROOF_LENGTH', 'consistency proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }

  // Step 7.
  if (sn !== 0) return fail('WRONG_PROOF_LENGTH', 'consistency proof is too short');
  if (!equalBytes(fr, root1)) return fail('ROOT_MISMATCH', 'consistency proof does not reproduce the first root');
  if (!equalBytes(sr, root2)) return fail('ROOT_MISMATCH', 'consistency proof does not reproduce the second root');
  return { ok: true };
}
