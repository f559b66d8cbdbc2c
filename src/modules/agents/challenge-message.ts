import type { Controller } from './read-controller.ts';

export type ChallengeFacts = {
  challengeId: string;
  controller: Controller;
  clientId: string;
  /** The agent the proof is for, when it verifies an existing agent; null: the agent being registered. */
  agentId: string | null;
  /** Alphanumeric, at least 8 characters (EIP-4361). */
  nonce: string;
  /** Where the platform is served (its host is the message's domain). */
  publicUrl: string;
  issuedAt: Date;
  expiresAt: Date;
};

const statementOf = (facts: ChallengeFacts) =>
  `Prove control of ${facts.controller.did} for ${facts.agentId ? `agent ${facts.agentId}` : 'a new agent'} in the Veridity agent registry of partner ${facts.clientId}.`;

/**
 * The text the controller signs, in the EIP-4361 (Sign-In with Ethereum) layout for both chains:
 * built by viem for EVM accounts (signed with EIP-191 personal_sign), and the same lines naming a
 * Solana account for Solana (signed as raw UTF-8 bytes, as wallets' signMessage does). It binds
 * the partner, the controller, the agent (if any), the challenge id and its expiry.
 */
export async function challengeMessage(facts: ChallengeFacts): Promise<string> {
  const url = new URL(facts.publicUrl);
  const resources = [`urn:veridity:registry-challenge:${facts.challengeId}`];
  if (facts.controller.namespace === 'eip155') {
    // Loaded on first use: viem is ~450 modules, a fifth of a server's start-up.
    const { createSiweMessage } = await import('viem/siwe');
    return createSiweMessage({
      domain: url.host,
      address: facts.controller.address as `0x${string}`,
      statement: statementOf(facts),
      uri: url.origin,
      version: '1',
      chainId: Number(facts.controller.chain),
      nonce: facts.nonce,
      issuedAt: facts.issuedAt,
      expirationTime: facts.expiresAt,
      resources,
    });
  }
  return [
    `${url.host} wants you to sign in with your Solana account:`,
    facts.controller.address,
    '',
    statementOf(facts),
    '',
    `URI: ${url.origin}`,
    'Version: 1',
    `Chain ID: ${facts.controller.chain}`,
    `Nonce: ${facts.nonce}`,
    `Issued At: ${facts.issuedAt.toISOString()}`,
    `Expiration Time: ${facts.expiresAt.toISOString()}`,
    'Resources:',
    ...resources.map((resource) => `- ${resource}`),
  ].join('\n');
}
