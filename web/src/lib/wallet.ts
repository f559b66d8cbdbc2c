import type { SignIn, WalletChallenge, WalletChain } from '../api/session.ts';

/**
 * Wallet sign-in with signers the page finds on `window`, so a browser extension and a test
 * can provide them alike:
 * - Ethereum: an EIP-1193 provider at `window.ethereum` (MetaMask and the like): accounts from
 *   `eth_requestAccounts`, the server's EIP-4361 (SIWE) message signed with `personal_sign`.
 * - Sui: an object at `window.veriditySuiSigner` with
 *     getAddress(): Promise<string>                                     (0x..., 32 bytes hex)
 *     signPersonalMessage(message: Uint8Array): Promise<{ signature: string }>  (base64 serialized signature)
 *   which is the shape of @mysten/sui's Keypair.signPersonalMessage; a wallet-standard wallet
 *   is adapted to it in a few lines.
 */

export type Eip1193Provider = { request(args: { method: string; params?: unknown[] }): Promise<unknown> };
export type SuiSigner = { getAddress(): Promise<string>; signPersonalMessage(message: Uint8Array): Promise<{ signature: string }> };

declare global {
  interface Window {
    ethereum?: Eip1193Provider;
    veriditySuiSigner?: SuiSigner;
  }
}

export function walletAvailable(chain: WalletChain): boolean {
  return chain === 'ethereum' ? typeof window.ethereum?.request === 'function' : typeof window.veriditySuiSigner?.signPersonalMessage === 'function';
}

const toHex = (bytes: Uint8Array) => `0x${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;

/** Asks the wallet for its address, has the server issue a challenge for it, and signs it. */
export async function walletSignIn(chain: WalletChain, challenge: (address: string) => Promise<WalletChallenge>): Promise<SignIn> {
  if (chain === 'ethereum') {
    const provider = window.ethereum;
    if (!provider) throw new Error('No Ethereum wallet found in this browser');
    const accounts = await provider.request({ method: 'eth_requestAccounts' });
    const address = Array.isArray(accounts) && typeof accounts[0] === 'string' ? accounts[0] : undefined;
    if (!address) throw new Error('The wallet shared no account');
    const { message } = await challenge(address);
    const signature = await provider.request({ method: 'personal_sign', params: [toHex(new TextEncoder().encode(message)), address] });
    if (typeof signature !== 'string') throw new Error('The wallet returned no signature');
    return { method: 'siwe', message, signature };
  }
  const signer = window.veriditySuiSigner;
  if (!signer) throw new Error('No Sui signer found in this browser');
  const address = await signer.getAddress();
  const { message } = await challenge(address);
  const { signature } = await signer.signPersonalMessage(new TextEncoder().encode(message));
  return { method: 'sui', address, message, signature };
}
