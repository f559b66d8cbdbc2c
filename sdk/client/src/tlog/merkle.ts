import { concatBytes } from '../bytes.ts';
import { sha256, type Steps } from '../crypto-steps.ts';

/** RFC 6962 / RFC 9162 Merkle tree hashing with SHA-256, and the inclusion check of RFC 9162 section 2.1.3.2. */

export const HASH_SIZE = 32;

/** MTH({d}) = SHA-256(0x00 || d): the domain byte keeps leaves and interior nodes apart. */
export function hashLeaf(leaf: Uint8Array): Steps<Uint8Array> {
  return sha256(concatBytes(new Uint8Array([0x00]), leaf));
}

/** SHA-256(0x01 || left || right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Steps<Uint8Array> {
  return sha256(concatBytes(new Uint8Array([0x01]), left, right));
}

export type ProofFailureCode = 'INVALID_SIZE' | 'BAD_HASH_LENGTH' | 'WRONG_PROOF_LENGTH' | 'ROOT_MISMATCH';
export type ProofFailure = { ok: false; code: ProofFailureCode; message: string };

export type InclusionClaim = {
  readonly leafHash: Uint8Array;
  readonly index: number;
  readonly treeSize: number;
  readonly proof: readonly Uint8Array[];
};

export function isTreeSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

export function hasBadHash(hashes: readonly Uint8Array[]): boolean {
  return hashes.some((h) => h.length !== HASH_SIZE);
}

/** The root an inclusion proof leads to (RFC 9162 section 2.1.3.2 steps 1-5, without the final comparison). */
export function* rootFromInclusionProof(claim: InclusionClaim): Steps<{ ok: true; rootHash: Uint8Array } | ProofFailure> {
  const { index, treeSize, proof } = claim;
  if (!isTreeSize(index) || !isTreeSize(treeSize) || index >= treeSize) {
    return { ok: false, code: 'INVALID_SIZE', message: `leaf index ${index} is not inside a tree of size ${treeSize}` };
  }
  if (hasBadHash([claim.leafHash, ...proof])) return { ok: false, code: 'BAD_HASH_LENGTH', message: `hashes must be ${HASH_SIZE} bytes` };

  let fn = index;
  let sn = treeSize - 1;
  let r = claim.leafHash;
  for (const p of proof) {
    if (sn === 0) return { ok: false, code: 'WRONG_PROOF_LENGTH', message: 'inclusion proof is longer than the path to the root' };
    if (fn % 2 === 1 || fn === sn) {
      r = yield* hashChildren(p, r);
      // A right-edge node with no sibling at this level is promoted unchanged: skip those levels.
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = yield* hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) return { ok: false, code: 'WRONG_PROOF_LENGTH', message: 'inclusion proof is shorter than the path to the root' };
  return { ok: true, rootHash: r };
}
