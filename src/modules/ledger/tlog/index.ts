/**
 * Transparency log core: RFC 6962/9162 Merkle tree over stored perfect-subtree hashes, C2SP signed
 * checkpoints and tlog-proof receipts. No database here: storage is the HashReader interface, and
 * prepareAppend returns the rows an appender inserts.
 */
export { HASH_SIZE, emptyTreeRoot, hashChildren, hashLeaf } from './merkle-hash.ts';
export { type LeafRange, type NodeId, subtreeIds } from './subtrees.ts';
export { type HashReader, MemoryHashStore, type StoredNode } from './hash-store.ts';
export { type PreparedAppend, prepareAppend } from './prepare-append.ts';
export { consistencyProof, inclusionProof, treeRoot } from './prove.ts';
export {
  type ConsistencyClaim,
  type InclusionClaim,
  type ProofCheck,
  type ProofFailureCode,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from './verify-proof.ts';
export {
  generateNoteKey,
  isValidKeyName,
  type NoteKeyPair,
  type NoteSigner,
  type NoteVerifier,
  type OpenedNote,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from './signed-note.ts';
export {
  type Checkpoint,
  type CheckpointFailureCode,
  formatCheckpoint,
  type OpenedCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from './checkpoint.ts';
export {
  buildReceipt,
  type ParsedReceipt,
  parseReceipt,
  type ReceiptFailureCode,
  type ReceiptParts,
  type ReceiptVerification,
  verifyReceipt,
} from './receipt.ts';
export { type LedgerLeafFields, ledgerLeaf } from './ledger-leaf.ts';
