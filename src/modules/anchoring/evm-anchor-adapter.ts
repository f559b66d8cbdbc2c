import { type Hex, keccak256 } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { AnchorTransactionState, ChainAnchorAdapter } from './anchor-adapter.ts';
import { evmClient, lookupEvmTransaction } from './evm-transaction.ts';

export type EvmAnchorConfig = {
  /** ANCHOR_RPC_URL: a JSON-RPC endpoint of the chain. */
  rpcUrl: string;
  /** ANCHOR_PRIVATE_KEY: 0x + 64 hex; held by the signer only, never logged. */
  privateKey: string;
  /** ANCHOR_TO_ADDRESS: where the anchoring transactions go. */
  toAddress: string;
  timeoutMs?: number;
};

/** Node answers to sending a transaction the node already has: not a failure. */
const ALREADY_KNOWN = /already (known|imported)|known transaction/i;

/**
 * The `evm` adapter (viem): an EIP-1559 transaction of value 0 to ANCHOR_TO_ADDRESS whose data is
 * the checkpoint's 32-byte root, signed with ANCHOR_PRIVATE_KEY. The nonce is the account's
 * pending count, so anchors queue behind each other; the hash is keccak256 of the signed bytes.
 */
export function createEvmAnchorAdapter(config: EvmAnchorConfig): ChainAnchorAdapter {
  const client = evmClient(config.rpcUrl, config.timeoutMs);
  const account = privateKeyToAccount(config.privateKey as Hex);
  const to = config.toAddress.toLowerCase() as Hex;
  return {
    name: 'evm',
    async prepare(rootHash) {
      const data = `0x${rootHash.toString('hex')}` as Hex;
      const [chainId, nonce, fees, gas] = await Promise.all([
        client.getChainId(),
        client.getTransactionCount({ address: account.address, blockTag: 'pending' }),
        client.estimateFeesPerGas(),
        client.estimateGas({ account: account.address, to, data }),
      ]);
      const raw = await account.signTransaction({ type: 'eip1559', chainId, nonce, to, data, gas, value: 0n, maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas });
      return { chainId, fromAddress: account.address.toLowerCase(), toAddress: to, txHash: keccak256(raw), raw: Buffer.from(raw.slice(2), 'hex') };
    },
    async send(raw) {
      try {
        await client.sendRawTransaction({ serializedTransaction: `0x${raw.toString('hex')}` });
      } catch (error) {
        const details = (error as { details?: unknown }).details;
        if (typeof details === 'string' && ALREADY_KNOWN.test(details)) return;
        throw error;
      }
    },
    async lookup(txHash): Promise<AnchorTransactionState> {
      const transaction = await lookupEvmTransaction(client, txHash);
      if (!transaction.found) return { state: 'unknown' };
      if (transaction.blockNumber === null) return { state: 'pending' };
      return { state: 'mined', blockNumber: transaction.blockNumber, confirmations: transaction.confirmations, succeeded: transaction.succeeded === true };
    },
  };
}
