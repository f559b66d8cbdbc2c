/**
 * x402 v1's network names, as @x402/evm/v1 (`EVM_NETWORK_CHAIN_ID_MAP`) and @x402/svm
 * (`V1_TO_V2_NETWORK_MAP`) define them: held here because those packages load viem and
 * @solana/kit (~600 modules, a third of the server's start-up) and config needs the names at
 * start. networks.test.ts compares them with the installed packages: an upgrade naming others fails it.
 */
export const EVM_NETWORK_CHAIN_ID_MAP: Readonly<Record<string, number>> = {
  ethereum: 1, sepolia: 11155111, abstract: 2741, 'abstract-testnet': 11124, 'base-sepolia': 84532, base: 8453,
  'avalanche-fuji': 43113, avalanche: 43114, iotex: 4689, sei: 1329, 'sei-testnet': 1328, polygon: 137,
  'polygon-amoy': 80002, peaq: 3338, story: 1514, educhain: 41923, 'skale-base-sepolia': 324705682,
  megaeth: 4326, monad: 143, stable: 988, 'stable-testnet': 2201, celo: 42220, flare: 14,
};
export const V1_TO_V2_NETWORK_MAP: Readonly<Record<string, string>> = {
  solana: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp',
  'solana-devnet': 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1',
  'solana-testnet': 'solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z',
};

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
  const evmV1 = Object.hasOwn(EVM_NETWORK_CHAIN_ID_MAP, name) ? EVM_NETWORK_CHAIN_ID_MAP[name] : undefined;
  if (evmV1 !== undefined) return { family: 'evm', caip2: `eip155:${evmV1}`, v1Name: name, chainId: evmV1 };
  const svmV1 = Object.hasOwn(V1_TO_V2_NETWORK_MAP, name) ? V1_TO_V2_NETWORK_MAP[name] : undefined;
  if (svmV1 !== undefined) return { family: 'svm', caip2: svmV1, v1Name: name };
  const evm = /^eip155:([1-9][0-9]{0,15})$/.exec(name);
  if (evm) {
    const chainId = Number(evm[1]);
    return { family: 'evm', caip2: name, v1Name: EVM_V1_NAMES.get(chainId), chainId };
  }
  if (/^solana:[1-9A-HJ-NP-Za-km-z]{32}$/.test(name)) return { family: 'svm', caip2: name, v1Name: SVM_V1_NAMES.get(name) };
  return undefined;
}
