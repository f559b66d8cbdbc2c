import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readController } from './read-controller.ts';

const SOLANA_MAINNET = '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp';

test('EVM controllers: any case in, one EIP-55 DID out; a wrong checksum is refused', () => {
  const lower = readController('did:pkh:eip155:1:0xb9c5714089478a327f09197987f16f9e5d936e8a');
  const upper = readController('did:pkh:eip155:1:0xB9C5714089478A327F09197987F16F9E5D936E8A');
  assert.ok(lower.ok && upper.ok);
  assert.equal(lower.value.did, 'did:pkh:eip155:1:0xB9C5714089478a327F09197987f16f9E5d936E8a');
  assert.equal(upper.value.did, lower.value.did);
  assert.equal(lower.value.key.length, 20);
  const wrongChecksum = readController('did:pkh:eip155:1:0xb9C5714089478a327F09197987f16f9E5d936E8a');
  assert.equal(wrongChecksum.ok, false);
  assert.equal(readController('did:pkh:eip155:01:0xb9c5714089478a327f09197987f16f9e5d936e8a').ok, false);
});

test('Solana controllers: base58 of exactly 32 bytes', () => {
  const ok = readController(`did:pkh:solana:${SOLANA_MAINNET}:CKg5d12Jhpej1JqtmxLJgaFqqeYjxgPqToJ4LBdvG9Ev`);
  assert.ok(ok.ok);
  assert.equal(ok.value.key.length, 32);
  assert.equal(ok.value.address, 'CKg5d12Jhpej1JqtmxLJgaFqqeYjxgPqToJ4LBdvG9Ev');
  for (const bad of ['CKg5d12Jhpej1JqtmxLJgaFqqeYjxgPqToJ4LBdvG9', 'CKg5d12Jhpej1JqtmxLJgaFqqeYjxgPqToJ4LBdvG9E0', 'x']) {
    assert.equal(readController(`did:pkh:solana:${SOLANA_MAINNET}:${bad}`).ok, false, bad);
  }
  assert.equal(readController('did:pkh:solana:short:CKg5d12Jhpej1JqtmxLJgaFqqeYjxgPqToJ4LBdvG9Ev').ok, false);
});

test('anything else is refused, never thrown', () => {
  for (const bad of ['', 'did:web:example.com', 'did:pkh:bip122:000000000019d6689c085ae165831e93:128Lkh3S7CkDTBZ8W7BbpsN3YYizJMp8p6', 'did:pkh:eip155:1', 'did:pkh:eip155:1:0x:extra']) {
    assert.equal(readController(bad).ok, false, bad);
  }
});
