import { sha256 } from './bytes.ts';

/** RFC 6962 leaf hash: SHA-256(0x00 || leaf). */
export const hashLeaf = (leaf: Uint8Array): Promise<Uint8Array> => sha256(Uint8Array.of(0x00), leaf);
const hashChildren = (left: Uint8Array, right: Uint8Array): Promise<Uint8Array> => sha256(Uint8Array.of(0x01), left, right);

/**
 * The root an inclusion proof leads to (RFC 9162 section 2.1.3.2), step for step as the ledger's
 * rootFromInclusionProof (src/modules/ledger/tlog/verify-proof.ts); undefined with the reason
 * when the proof cannot describe a path in a tree of that size.
 */
export async function rootFromInclusionProof(claim: { leafHash: Uint8Array; index: number; treeSize: number; proof: readonly Uint8Array[] }): Promise<{ ok: true; rootHash: Uint8Array } | { ok: false; message: string }> {
  const { index, treeSize, proof } = claim;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) {
    return { ok: false, message: `leaf index ${index} is not inside a tree of size ${treeSize}` };
  }
  let fn = index;
  let sn = treeSize - 1;
  let r = claim.leafHash;
  for (const p of proof) {
    if (sn === 0) return { ok: false, message: 'inclusion proof is longer than the path to the root' };
    if (fn % 2 === 1 || fn === sn) {
      r = await hashChildren(p, r);
      // A right-edge node with no sibling at this level is promoted unchanged: skip those levels.
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) return { ok: false, message: 'inclusion proof is shorter than the path to the root' };
  return { ok: true, rootHash: r };
}
