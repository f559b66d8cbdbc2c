import { ed25519 } from '@noble/curves/ed25519.js';
import { base58btc } from 'multiformats/bases/base58';
import { verifyMessage } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, expect, test } from 'vitest';
import { controllerAccount, controllerWalletAvailable, signControllerChallenge } from './wallet.ts';

const MESSAGE = 'localhost wants you to sign in with your Ethereum account:\nchallenge';

afterEach(() => {
  delete window.ethereum;
  delete window.solana;
});

test('the account of a did:pkh controller', () => {
  expect(controllerAccount('did:pkh:eip155:1:0xAbC')).toBe('0xAbC');
  expect(controllerAccount('did:pkh:solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp:CKg5d12Jhpej1JqtmxLJgaFqqeYjxgPqToJ4LBdvG9Ev')).toBe('CKg5d12Jhpej1JqtmxLJgaFqqeYjxgPqToJ4LBdvG9Ev');
});

test('EVM: personal_sign by the wallet account that is the controller (any address case); another account is refused before signing', async () => {
  const account = privateKeyToAccount(generatePrivateKey());
  const calls: string[] = [];
  window.ethereum = {
    request: async ({ method, params }) => {
      calls.push(method);
      if (method === 'eth_requestAccounts') return [account.address.toLowerCase()];
      if (method === 'personal_sign') return account.signMessage({ message: { raw: params![0] as `0x${string}` } });
      throw new Error(method);
    },
  };
  expect(controllerWalletAvailable('eip191')).toBe(true);
  expect(controllerWalletAvailable('solana-ed25519')).toBe(false);
  const signature = await signControllerChallenge('eip191', `did:pkh:eip155:1:${account.address}`, MESSAGE);
  expect(await verifyMessage({ address: account.address, message: MESSAGE, signature: signature as `0x${string}` })).toBe(true);
  calls.length = 0;
  const other = privateKeyToAccount(generatePrivateKey());
  await expect(signControllerChallenge('eip191', `did:pkh:eip155:1:${other.address}`, MESSAGE)).rejects.toThrow(/does not hold the controller's account/);
  expect(calls).toEqual(['eth_requestAccounts']);
});

test('Solana: signMessage over the UTF-8 bytes, sent in base58; another account is refused', async () => {
  const secret = ed25519.utils.randomSecretKey();
  const address = base58btc.baseEncode(ed25519.getPublicKey(secret));
  window.solana = {
    connect: async () => ({ publicKey: { toString: () => address } }),
    signMessage: async (bytes) => ({ signature: ed25519.sign(bytes, secret) }),
  };
  const signature = await signControllerChallenge('solana-ed25519', `did:pkh:solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp:${address}`, MESSAGE);
  expect(ed25519.verify(base58btc.baseDecode(signature), new TextEncoder().encode(MESSAGE), ed25519.getPublicKey(secret))).toBe(true);
  await expect(signControllerChallenge('solana-ed25519', 'did:pkh:solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp:CKg5d12Jhpej1JqtmxLJgaFqqeYjxgPqToJ4LBdvG9Ev', MESSAGE)).rejects.toThrow(/is not the controller's/);
});
