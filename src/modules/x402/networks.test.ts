import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVM_NETWORK_CHAIN_ID_MAP as X402_EVM_NAMES } from '@x402/evm/v1';
import { V1_TO_V2_NETWORK_MAP as X402_SVM_NAMES } from '@x402/svm';
import { EVM_NETWORK_CHAIN_ID_MAP, resolveNetwork, V1_TO_V2_NETWORK_MAP } from './networks.ts';

test("the v1 network names held here are the installed x402 packages' names", () => {
  assert.deepEqual({ ...EVM_NETWORK_CHAIN_ID_MAP }, { ...X402_EVM_NAMES });
  assert.deepEqual({ ...V1_TO_V2_NETWORK_MAP }, { ...X402_SVM_NAMES });
});

test('a network by its v1 name or its CAIP-2 id resolves to one form; anything else to nothing', () => {
  assert.deepEqual(resolveNetwork('base-sepolia'), { family: 'evm', caip2: 'eip155:84532', v1Name: 'base-sepolia', chainId: 84532 });
  assert.deepEqual(resolveNetwork('eip155:84532'), resolveNetwork('base-sepolia'));
  assert.deepEqual(resolveNetwork('eip155:999999'), { family: 'evm', caip2: 'eip155:999999', v1Name: undefined, chainId: 999999 });
  assert.deepEqual(resolveNetwork('solana-devnet'), { family: 'svm', caip2: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1', v1Name: 'solana-devnet' });
  assert.deepEqual(resolveNetwork('solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1'), resolveNetwork('solana-devnet'));
  for (const name of ['toString', '__proto__', 'constructor', 'eip155:0', 'eip155:01', 'solana:short', '']) assert.equal(resolveNetwork(name), undefined, name);
});
