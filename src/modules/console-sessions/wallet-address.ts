import { normalizeSuiAddress } from '@mysten/sui/utils';
import * as Address from 'ox/Address';

export const WALLET_CHAINS = ['ethereum', 'sui'] as const;
export type WalletChain = (typeof WALLET_CHAINS)[number];

const SUI_ADDRESS = /^0x[0-9a-fA-F]{1,64}$/;

/**
 * The form an address is stored and compared in: ethereum 0x + 40 lowercase hex (a mixed-case
 * address must carry a valid EIP-55 checksum: a typo is refused, not linked), sui 0x + 64 lowercase
 * hex (short forms padded). Undefined when it is not an address of the chain.
 */
export function canonicalAddress(chain: WalletChain, address: string): string | undefined {
  if (chain === 'ethereum') return Address.validate(address, { strict: true }) ? address.toLowerCase() : undefined;
  return SUI_ADDRESS.test(address) ? normalizeSuiAddress(address.toLowerCase()) : undefined;
}

/** How an address is shown: EIP-55 checksummed on ethereum, canonical on sui. */
export function displayAddress(chain: WalletChain, canonical: string): string {
  return chain === 'ethereum' ? Address.checksum(canonical) : canonical;
}

/** What an address of the chain must look like (the message when one does not). */
export function addressFormat(chain: WalletChain): string {
  return chain === 'ethereum' ? 'an ethereum address (0x + 40 hex, EIP-55 checksummed when mixed-case)' : 'a sui address (0x + up to 64 hex)';
}
