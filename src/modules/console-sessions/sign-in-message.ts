import type { WalletChain } from './wallet-address.ts';
import { displayAddress } from './wallet-address.ts';

export const SIGN_IN_STATEMENT = 'Sign in to the Veridity console.';

export type SignInMessageFields = { chain: WalletChain; address: string; domain: string; uri: string; chainId: number; nonce: string; issuedAt: Date; expiresAt: Date };

/**
 * The message a wallet signs to sign in: EIP-4361 on ethereum (viem's builder, which refuses a
 * domain that is not an RFC 3986 authority: undefined then); on sui a personal message with the
 * same fields in the same layout, as Sui has no sign-in standard of its own.
 */
export async function signInMessage(fields: SignInMessageFields): Promise<string | undefined> {
  const address = displayAddress(fields.chain, fields.address);
  if (fields.chain === 'ethereum') {
    // Loaded on first use: viem is ~450 modules, a fifth of a server's start-up.
    const { createSiweMessage } = await import('viem/siwe');
    try {
      return createSiweMessage({
        domain: fields.domain,
        address: address as `0x${string}`,
        statement: SIGN_IN_STATEMENT,
        uri: fields.uri,
        version: '1',
        chainId: fields.chainId,
        nonce: fields.nonce,
        issuedAt: fields.issuedAt,
        expirationTime: fields.expiresAt,
      });
    } catch {
      return undefined;
    }
  }
  return [
    `${fields.domain} wants you to sign in with your Sui account:`,
    address,
    '',
    SIGN_IN_STATEMENT,
    '',
    `URI: ${fields.uri}`,
    'Version: 1',
    'Chain ID: sui',
    `Nonce: ${fields.nonce}`,
    `Issued At: ${fields.issuedAt.toISOString()}`,
    `Expiration Time: ${fields.expiresAt.toISOString()}`,
  ].join('\n');
}

const NONCE_LINE = /^Nonce: ([0-9a-zA-Z]{16,64})$/m;

/** The nonce a signed sign-in message names (either chain's layout), to find its challenge. */
export function nonceOf(message: string): string | undefined {
  return NONCE_LINE.exec(message)?.[1];
}
