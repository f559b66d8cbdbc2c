import { type EvmTransaction, evmClient, lookupEvmTransaction } from './evm-transaction.ts';
import { rpcErrorMessage } from './rpc-error-message.ts';

/** What a document says was anchored: the transaction and the checkpoint root it must carry. */
export type ExpectedAnchor = { chainId: number; txHash: string; rootHash: string; from: string; to: string; blockNumber: number };

export const ANCHOR_CHECK_CODES = [
  'RPC_UNAVAILABLE',
  'TX_NOT_FOUND',
  'CHAIN_MISMATCH',
  'DATA_MISMATCH',
  'SENDER_MISMATCH',
  'RECIPIENT_MISMATCH',
  'NOT_MINED',
  'BLOCK_MISMATCH',
  'REVERTED',
  'TOO_FEW_CONFIRMATIONS',
] as const;

export type AnchorOnChainCheck = { ok: true; confirmations: number } | { ok: false; code: (typeof ANCHOR_CHECK_CODES)[number]; message: string };

/** Compares a transaction as the chain has it with what the document says; the first difference wins. */
export function checkAnchorTransaction(expected: ExpectedAnchor, actual: EvmTransaction, minConfirmations: number): AnchorOnChainCheck {
  if (!actual.found) return { ok: false, code: 'TX_NOT_FOUND', message: `the chain has no transaction ${expected.txHash}` };
  if (actual.chainId !== expected.chainId) return { ok: false, code: 'CHAIN_MISMATCH', message: `the RPC serves chain ${actual.chainId}, the anchor is on chain ${expected.chainId}` };
  if (actual.input !== expected.rootHash.toLowerCase()) {
    return { ok: false, code: 'DATA_MISMATCH', message: `the transaction carries ${actual.input.slice(0, 80)}, not the checkpoint root ${expected.rootHash}` };
  }
  if (actual.from !== expected.from.toLowerCase()) return { ok: false, code: 'SENDER_MISMATCH', message: `sent by ${actual.from}, not ${expected.from}` };
  if (actual.to !== expected.to.toLowerCase()) return { ok: false, code: 'RECIPIENT_MISMATCH', message: `sent to ${actual.to ?? 'no address (contract creation)'}, not ${expected.to}` };
  if (actual.blockNumber === null) return { ok: false, code: 'NOT_MINED', message: 'the transaction is not in a block (yet)' };
  if (actual.blockNumber !== expected.blockNumber) return { ok: false, code: 'BLOCK_MISMATCH', message: `in block ${actual.blockNumber}, not ${expected.blockNumber} (a reorganisation?)` };
  if (actual.succeeded !== true) return { ok: false, code: 'REVERTED', message: 'the transaction failed (reverted)' };
  if (actual.confirmations < minConfirmations) return { ok: false, code: 'TOO_FEW_CONFIRMATIONS', message: `${actual.confirmations} confirmation(s), fewer than the ${minConfirmations} asked for` };
  return { ok: true, confirmations: actual.confirmations };
}

/** Fetches the anchor's transaction from `rpcUrl` (bounded: one try, RPC_TIMEOUT_MS per call) and checks it. Never throws. */
export async function verifyAnchorOnChain(rpcUrl: string, expected: ExpectedAnchor, minConfirmations: number): Promise<AnchorOnChainCheck> {
  let actual: EvmTransaction;
  try {
    actual = await lookupEvmTransaction(evmClient(rpcUrl), expected.txHash);
  } catch (error) {
    return { ok: false, code: 'RPC_UNAVAILABLE', message: `the RPC did not answer: ${rpcErrorMessage(error)}` };
  }
  return checkAnchorTransaction(expected, actual, minConfirmations);
}
