import { createHash } from 'node:crypto';

/** RFC 6962 / RFC 9162 Merkle tree hashing with SHA-256 (the client SDK's sdk/client/src/tlog/merkle.ts, synchronously, for the log's own hot paths). */

export { HASH_SIZE } from '#client/tlog/merkle.ts';

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({d}) = SHA-256(0x00 || d): the domain byte keeps leaves and interior nodes apart. */
export function hashLeaf(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/** SHA-256(0x01 || left || right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** MTH({}) = SHA-256(""), the root of the empty tree. */
export function emptyTreeRoot(): Buffer {
  return createHash('sha256').digest();
}
