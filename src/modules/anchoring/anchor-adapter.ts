/**
 * What the anchor worker needs from a chain, whichever it is (ANCHOR_ADAPTER). A transaction is
 * signed first (`prepare`) and sent afterwards (`send`), so its hash is recorded before anything
 * leaves the process: a restarted worker looks the same transaction up, and sends the same bytes
 * again when the chain lost them, instead of making a second one.
 */
export type SignedAnchorTransaction = {
  chainId: number;
  fromAddress: string;
  toAddress: string;
  /** 0x + 64 lowercase hex. */
  txHash: string;
  /** The signed transaction, as sent. */
  raw: Buffer;
};

export type AnchorTransactionState =
  /** The chain does not know it: never sent, or dropped from the mempool. */
  | { state: 'unknown' }
  | { state: 'pending' }
  | { state: 'mined'; blockNumber: number; confirmations: number; succeeded: boolean };

export type ChainAnchorAdapter = {
  name: 'evm';
  /** A signed transaction carrying `rootHash` (32 bytes) as its data; nothing is sent. */
  prepare(rootHash: Buffer): Promise<SignedAnchorTransaction>;
  /** Sends a signed transaction; sending one the chain already has is not an error. */
  send(raw: Buffer): Promise<void>;
  lookup(txHash: string): Promise<AnchorTransactionState>;
};

/** `noop`: nothing is anchored and certificates stay CERTIFIED_NO_ANCHOR. */
export type AnchorAdapter = { name: 'noop' } | ChainAnchorAdapter;

export const ANCHOR_ADAPTERS = ['noop', 'evm'] as const;
export type AnchorAdapterName = (typeof ANCHOR_ADAPTERS)[number];
