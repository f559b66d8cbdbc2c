import { randomBytes } from 'node:crypto';
import type { IssuerPublicKey } from './credential-format.ts';
import { loadEddsa } from './load-eddsa.ts';

export type IssuerKey = {
  /** 32 random bytes, hex; circomlibjs derives the scalar as pruned Blake-512(key). */
  privateKey: string;
  publicKey: IssuerPublicKey;
};

const PRIVATE_KEY_HEX = /^[0-9a-f]{64}$/i;

export function privateKeyBytes(privateKeyHex: string): Buffer {
  if (!PRIVATE_KEY_HEX.test(privateKeyHex)) throw new TypeError('issuer private key must be 32 bytes of hex');
  return Buffer.from(privateKeyHex, 'hex');
}

export async function deriveIssuerPublicKey(privateKeyHex: string): Promise<IssuerPublicKey> {
  const eddsa = await loadEddsa();
  const [ax, ay] = eddsa.prv2pub(privateKeyBytes(privateKeyHex));
  return { ax: eddsa.F.toObject(ax).toString(), ay: eddsa.F.toObject(ay).toString() };
}

export async function generateIssuerKey(random: (length: number) => Uint8Array = randomBytes): Promise<IssuerKey> {
  const privateKey = Buffer.from(random(32)).toString('hex');
  return { privateKey, publicKey: await deriveIssuerPublicKey(privateKey) };
}
