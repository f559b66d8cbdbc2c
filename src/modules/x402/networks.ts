import { EVM_NETWORK_CHAIN_ID_MAP } from '@x402/evm/v1';
import { V1_TO_V2_NETWORK_MAP } from '@x402/svm';

/** A network x402 names, in its CAIP-2 form (v2) and by its v1 name when it has one. */
export type X402Network =
  | { family: 'evm'; caip2: string; v1Name: string | undefined; chainId: number }
  | { family: 'svm'; caip2: string; v1Name: string | undefined };

const EVM_V1_NAMES = new Map<number, string>(Object.entries(EVM_NETWORK_CHAIN_ID_MAP).map(([name, chainId]) => [chainId, name]));
const SVM_V1_NAMES = new Map(Object.entries(V1_TO_V2_NETWORK_MAP).map(([name, caip2]) => [caip2, name]));

/**
 * The network a payment or requirement names: a v1 name (`base-sepolia`, `solana-devnet`) or a
 * CAIP-2 id (`eip155:84532`, `solana:EtWT...`), both mapped to one CAIP-2 form so a payment is the
 * same payment whichever encoding carried it. Unknown: undefined.
 */
export function resolveNetwork(name: string): X402Network | undefined {
  const evmV1 = (EVM_NETWORK_CHAIN_ID_MAP as Record<string, number>)[name];
  if (evmV1 !== undefined) return { family: 'evm', caip2: `eip155:${evmV1}`, v1Name: name, chainId: evmV1 };
  const svmV1 = V1_TO_V2_NETWORK_MAP[name];
  if (svmV1 !== undefined) return { family: 'svm', caip2: svmV1, v1Name: name };
  const evm = /^eip155:([1-9][0-9]{0,15})$/.exec(name);
  if (evm) {
    const chainId = Number(evm[1]);
    return { family: 'evm', caip2: name, v1Name: EVM_V1_NAMES.get(chainId), chainId };
  }
  if (/^solana:[1-9A-HJ-NP-Za-km-z]{32}$/.test(name)) return { family: 'svm', caip2: name, v1Name: SVM_V1_NAMES.get(name) };
  return undefined;
}
