import { ed25519 } from '@noble/curves/ed25519.js';
import { base58btc } from 'multiformats/bases/base58';
import { privateKeyToAccount } from 'viem/accounts';
import { readController, type Controller } from './read-controller.ts';

export type ControllerChain = 'evm' | 'solana';

/** A controller key as `veridity registry keygen` writes it (a JSON file, mode 0600). */
export type ControllerKeyFile = {
  chain: ControllerChain;
  /** The `did:pkh` the registry names the controller by. */
  controller: string;
  /** EVM: 0x + 64 hex (secp256k1); Solana: the base58 32-byte Ed25519 seed. */
  private_key: string;
};

/** A key file read back: the controller it names and the secret that signs for it. */
export type ControllerKey = { chain: ControllerChain; controller: Controller; secret: Uint8Array };

const EVM_PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

/** Mainnet's CAIP-2 reference (the genesis hash's first 32 characters); the key signs the same on every cluster. */
export const SOLANA_MAINNET_REF = '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp';

function didOf(chain: ControllerChain, secret: Uint8Array): string {
  if (chain === 'evm') return `did:pkh:eip155:1:${privateKeyToAccount(`0x${Buffer.from(secret).toString('hex')}`).address}`;
  return `did:pkh:solana:${SOLANA_MAINNET_REF}:${base58btc.baseEncode(ed25519.getPublicKey(secret))}`;
}

/** A fresh controller key: EVM (secp256k1, the account on chain 1) or Solana (Ed25519, mainnet). */
export function generateControllerKey(chain: ControllerChain): ControllerKeyFile {
  const secret = chain === 'evm' ? crypto.getRandomValues(new Uint8Array(32)) : ed25519.utils.randomSecretKey();
  return {
    chain,
    controller: didOf(chain, secret),
    private_key: chain === 'evm' ? `0x${Buffer.from(secret).toString('hex')}` : base58btc.baseEncode(secret),
  };
}

function decodeSecret(chain: ControllerChain, value: string): Uint8Array | undefined {
  if (chain === 'evm') return EVM_PRIVATE_KEY.test(value) ? Buffer.from(value.slice(2), 'hex') : undefined;
  try {
    const bytes = base58btc.baseDecode(value);
    return bytes.length === 32 ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A key file's content, checked: a known chain, a private key of its form, and a controller DID
 * that this key controls (the DID's chain reference may be any; its account must be the key's). Never throws.
 */
export function readControllerKey(value: unknown): { ok: true; value: ControllerKey } | { ok: false; message: string } {
  if (typeof value !== 'object' || value === null) return { ok: false, message: 'expected a JSON object {chain, controller, private_key}' };
  const { chain, controller, private_key: privateKey } = value as Record<string, unknown>;
  if (chain !== 'evm' && chain !== 'solana') return { ok: false, message: 'chain: expected "evm" or "solana"' };
  if (typeof privateKey !== 'string') return { ok: false, message: 'private_key: expected a string' };
  const secret = decodeSecret(chain, privateKey);
  if (!secret) return { ok: false, message: chain === 'evm' ? 'private_key: expected 0x and 64 hex digits' : 'private_key: expected the base58 form of a 32-byte Ed25519 seed' };
  const read = typeof controller === 'string' ? readController(controller) : { ok: false as const, message: 'expected a string' };
  if (!read.ok) return { ok: false, message: `controller: ${read.message}` };
  if (read.value.namespace !== (chain === 'evm' ? 'eip155' : 'solana')) return { ok: false, message: `controller: not a ${chain} account` };
  if (didOf(chain, secret).split(':').at(-1) !== read.value.address) return { ok: false, message: `controller: ${read.value.address} is not the account of this private_key` };
  return { ok: true, value: { chain, controller: read.value, secret } };
}

/**
 * The controller's signature over an ownership challenge message, in the form POST /api/v1/agents
 * and /verify take (verifyOwnershipSignature): Solana, base58 Ed25519 over the message's UTF-8
 * bytes; EVM, 0x-hex EIP-191 personal_sign.
 */
export async function signOwnershipMessage(key: ControllerKey, message: string): Promise<string> {
  if (key.chain === 'solana') return base58btc.baseEncode(ed25519.sign(new TextEncoder().encode(message), key.secret));
  return privateKeyToAccount(`0x${Buffer.from(key.secret).toString('hex')}`).signMessage({ message });
}
