import { createPublicClient, type Hex, http, type PublicClient, TransactionNotFoundError, TransactionReceiptNotFoundError } from 'viem';

/** Every RPC call is bounded: one try, at most this long. */
export const RPC_TIMEOUT_MS = 10_000;

export function evmClient(rpcUrl: string, timeoutMs = RPC_TIMEOUT_MS): PublicClient {
  return createPublicClient({ transport: http(rpcUrl, { timeout: timeoutMs, retryCount: 0 }) });
}

export type EvmTransaction =
  | { found: false }
  | {
      found: true;
      chainId: number;
      from: string;
      to: string | null;
      /** The transaction's data, 0x + lowercase hex. */
      input: string;
      /** null while pending. */
      blockNumber: number | null;
      /** Blocks from the one holding it to the newest, both counted; 0 while pending. */
      confirmations: number;
      /** null while pending. */
      succeeded: boolean | null;
    };

/** A transaction, its receipt and its depth, as the node at `client` sees them now. */
export async function lookupEvmTransaction(client: PublicClient, txHash: string): Promise<EvmTransaction> {
  const hash = txHash as Hex;
  let transaction;
  try {
    transaction = await client.getTransaction({ hash });
  } catch (error) {
    if (error instanceof TransactionNotFoundError) return { found: false };
    throw error;
  }
  const common = { found: true as const, chainId: Number(await client.getChainId()), from: transaction.from.toLowerCase(), to: transaction.to?.toLowerCase() ?? null, input: transaction.input.toLowerCase() };
  if (transaction.blockNumber === null) return { ...common, blockNumber: null, confirmations: 0, succeeded: null };
  let receipt;
  try {
    receipt = await client.getTransactionReceipt({ hash });
  } catch (error) {
    if (error instanceof TransactionReceiptNotFoundError) return { ...common, blockNumber: null, confirmations: 0, succeeded: null };
    throw error;
  }
  const latest = await client.getBlockNumber();
  return { ...common, blockNumber: Number(receipt.blockNumber), confirmations: Number(latest - receipt.blockNumber + 1n), succeeded: receipt.status === 'success' };
}
