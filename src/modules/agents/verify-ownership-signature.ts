import { ed25519 } from '@noble/curves/ed25519.js';
import { base58btc } from 'multiformats/bases/base58';
import type { Controller } from './read-controller.ts';

export type OwnershipScheme = 'solana-ed25519' | 'eip191';
export type SignatureFailure = 'MALFORMED_SIGNATURE' | 'SIGNER_MISMATCH';
export type SignatureResult =
  | { ok: true; value: { scheme: OwnershipScheme; signature: Buffer } }
  | { ok: false; reason: SignatureFailure; message: string };

const EVM_SIGNATURE = /^0x[0-9a-fA-F]{130}$/;

function base58Bytes(value: string): Uint8Array | undefined {
  try {
    return base58btc.baseDecode(value);
  } catch {
    return undefined;
  }
}

/**
 * Whether `signature` is the controller's over `message`: Solana, a base58 Ed25519 signature over
 * the message's UTF-8 bytes (strict RFC 8032 verification); EVM, a 65-byte 0x-hex EIP-191
 * personal_sign signature from which the controller's address must be recovered (externally
 * owned accounts; contract wallets (EIP-1271) would need a chain). Never throws.
 */
export async function verifyOwnershipSignature(controller: Controller, message: string, signature: string): Promise<SignatureResult> {
  if (controller.namespace === 'solana') {
    const bytes = base58Bytes(signature);
    if (!bytes || bytes.length !== 64) return { ok: false, reason: 'MALFORMED_SIGNATURE', message: 'a Solana signature is the base58 form of 64 bytes' };
    let valid = false;
    try {
      valid = ed25519.verify(bytes, new TextEncoder().encode(message), controller.key, { zip215: false });
    } catch {
      valid = false;
    }
    if (!valid) return { ok: false, reason: 'SIGNER_MISMATCH', message: `the signature does not verify under the controller's key ${controller.address}` };
    return { ok: true, value: { scheme: 'solana-ed25519', signature: Buffer.from(bytes) } };
  }
  if (!EVM_SIGNATURE.test(signature)) return { ok: false, reason: 'MALFORMED_SIGNATURE', message: 'an EVM signature is 0x and 130 hex digits (65 bytes, EIP-191 personal_sign)' };
  let signer: string;
  try {
    // Loaded on first use: viem is ~450 modules, a fifth of a server's start-up.
    const { getAddress, recoverMessageAddress } = await import('viem');
    signer = getAddress(await recoverMessageAddress({ message, signature: signature as `0x${string}` }));
  } catch {
    return { ok: false, reason: 'MALFORMED_SIGNATURE', message: 'no address can be recovered from the signature' };
  }
  if (signer !== controller.address) return { ok: false, reason: 'SIGNER_MISMATCH', message: `the message was signed by ${signer}, not by the controller ${controller.address}` };
  return { ok: true, value: { scheme: 'eip191', signature: Buffer.from(signature.slice(2), 'hex') } };
}
