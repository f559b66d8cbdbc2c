import { base58btc } from 'multiformats/bases/base58';
import * as Address from 'ox/Address';

/** A controller account as the registry keeps it: canonical DID, and the raw account it names. */
export type Controller = {
  /** `did:pkh:solana:<genesis ref>:<base58>` or `did:pkh:eip155:<chain id>:<EIP-55 address>`. */
  did: string;
  namespace: 'solana' | 'eip155';
  /** The CAIP-2 chain reference (Solana: the genesis hash's first 32 base58 characters; EVM: the chain id). */
  chain: string;
  /** The address as the chain writes it: base58 (Solana) or EIP-55 checksummed hex (EVM). */
  address: string;
  /** The account itself: the 32-byte Ed25519 public key (Solana) or the 20-byte address (EVM). */
  key: Buffer;
};

export type ControllerResult = { ok: true; value: Controller } | { ok: false; message: string };

const SOLANA_CHAIN = /^[1-9A-HJ-NP-Za-km-z]{32}$/;
const EVM_CHAIN = /^[1-9][0-9]{0,15}$/;
const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const ACCOUNT_ID = /^(solana|eip155):([^:]+):([^:]+)$/;

/** A Solana address: base58 decoding to exactly 32 bytes (so `key` is canonical, whatever the spelling). */
function solanaKey(address: string): Buffer | undefined {
  try {
    const bytes = base58btc.baseDecode(address);
    return bytes.length === 32 ? Buffer.from(bytes) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A CAIP-10 account id (`solana:<ref>:<address>`, `eip155:<chain id>:<address>`), canonicalised:
 * EVM addresses in any case (a mixed-case one must carry a valid EIP-55 checksum), Solana
 * addresses decoded to their 32 bytes. Never throws.
 */
export function readAccountId(value: string): ControllerResult {
  const match = ACCOUNT_ID.exec(value);
  if (!match) return { ok: false, message: 'must be solana:<chain>:<address> or eip155:<chain id>:<address>' };
  const [, namespace, chain, address] = match as unknown as [string, 'solana' | 'eip155', string, string];
  if (namespace === 'solana') {
    if (!SOLANA_CHAIN.test(chain)) return { ok: false, message: 'a Solana chain reference is 32 base58 characters (e.g. 5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp, mainnet)' };
    const key = solanaKey(address);
    if (!key) return { ok: false, message: 'a Solana address is the base58 form of a 32-byte Ed25519 public key' };
    const canonical = base58btc.baseEncode(key);
    return { ok: true, value: { did: `did:pkh:solana:${chain}:${canonical}`, namespace, chain, address: canonical, key } };
  }
  if (!EVM_CHAIN.test(chain)) return { ok: false, message: 'an EVM chain reference is a decimal chain id (e.g. 1, 8453)' };
  if (!EVM_ADDRESS.test(address)) return { ok: false, message: 'an EVM address is 0x and 40 hex digits' };
  const mixedCase = address.slice(2) !== address.slice(2).toLowerCase() && address.slice(2) !== address.slice(2).toUpperCase();
  const checksummed = Address.checksum(address.toLowerCase());
  if (mixedCase && checksummed !== address) return { ok: false, message: 'the EVM address is mixed-case but its EIP-55 checksum is wrong' };
  return { ok: true, value: { did: `did:pkh:eip155:${chain}:${checksummed}`, namespace, chain, address: checksummed, key: Buffer.from(checksummed.slice(2), 'hex') } };
}

/** A controller DID (`did:pkh:solana:...` or `did:pkh:eip155:...`), canonicalised as `readAccountId` does. */
export function readController(did: string): ControllerResult {
  if (!did.startsWith('did:pkh:')) return { ok: false, message: 'must be a did:pkh DID (did:pkh:solana:<chain>:<address> or did:pkh:eip155:<chain id>:<address>)' };
  return readAccountId(did.slice('did:pkh:'.length));
}
