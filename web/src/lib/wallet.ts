import { base58btc } from 'multiformats/bases/base58';
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
 * - Solana (agent registry controllers only): an injected provider at `window.solana` (Phantom and
 *   the like): `connect()` for the account, `signMessage(bytes)` for an Ed25519 signature.
 */

export type Eip1193Provider = { request(args: { method: string; params?: unknown[] }): Promise<unknown> };
export type SuiSigner = { getAddress(): Promise<string>; signPersonalMessage(message: Uint8Array): Promise<{ signature: string }> };
export type SolanaProvider = { connect(): Promise<{ publicKey: { toString(): string } }>; signMessage(message: Uint8Array, display?: 'utf8'): Promise<{ signature: Uint8Array }> };

declare global {
  interface Window {
    ethereum?: Eip1193Provider;
    veriditySuiSigner?: SuiSigner;
    solana?: SolanaProvider;
  }
}

export function walletAvailable(chain: WalletChain): boolean {
  return chain === 'ethereum' ? typeof window.ethereum?.request === 'function' : typeof window.veriditySuiSigner?.signPersonalMessage === 'function';
}

const toHex = (bytes: Uint8Array) => `0x${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;

/** How an agent registry challenge is signed (the API's `signing`): EIP-191 personal_sign, or Ed25519 over the UTF-8 bytes (Solana signMessage). */
export type ControllerSigning = 'eip191' | 'solana-ed25519';

/** The account of a `did:pkh` controller: its last segment (an 0x address, or a base58 Solana key). */
export const controllerAccount = (did: string): string => did.slice(did.lastIndexOf(':') + 1);

export function controllerWalletAvailable(signing: ControllerSigning): boolean {
  return signing === 'eip191' ? typeof window.ethereum?.request === 'function' : typeof window.solana?.signMessage === 'function';
}

/**
 * The agent controller's signature of a registry challenge, made by the browser's wallet, in the
 * form POST /api/v1/agents/{id}/verify takes (0x-hex, or base58). The wallet must hold the
 * controller's account: another account's signature would only be refused by the server.
 */
export async function signControllerChallenge(signing: ControllerSigning, controllerDid: string, message: string): Promise<string> {
  const account = controllerAccount(controllerDid);
  if (signing === 'eip191') {
    const provider = window.ethereum;
    if (!provider) throw new Error('No Ethereum wallet found in this browser');
    const accounts = await provider.request({ method: 'eth_requestAccounts' });
    const held = Array.isArray(accounts) ? accounts.find((candidate) => typeof candidate === 'string' && candidate.toLowerCase() === account.toLowerCase()) : undefined;
    if (typeof held !== 'string') throw new Error(`The wallet does not hold the controller's account ${account}: switch to it and try again`);
    const signature = await provider.request({ method: 'personal_sign', params: [toHex(new TextEncoder().encode(message)), held] });
    if (typeof signature !== 'string') throw new Error('The wallet returned no signature');
    return signature;
  }
  const provider = window.solana;
  if (!provider) throw new Error('No Solana wallet found in this browser');
  const { publicKey } = await provider.connect();
  if (publicKey.toString() !== account) throw new Error(`The wallet's account ${publicKey.toString()} is not the controller's ${account}: switch to it and try again`);
  const { signature } = await provider.signMessage(new TextEncoder().encode(message), 'utf8');
  return base58btc.baseEncode(signature);
}

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
