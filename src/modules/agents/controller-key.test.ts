import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateControllerKey, readControllerKey, signOwnershipMessage } from './controller-key.ts';
import { readController } from './read-controller.ts';
import { verifyOwnershipSignature } from './verify-ownership-signature.ts';

test('a generated key of each chain signs what verifyOwnershipSignature accepts, for its controller only', async () => {
  for (const chain of ['evm', 'solana'] as const) {
    const file = generateControllerKey(chain);
    const key = readControllerKey(JSON.parse(JSON.stringify(file)));
    assert.ok(key.ok, chain);
    const signature = await signOwnershipMessage(key.value, 'line one\nline two');
    const verified = await verifyOwnershipSignature(key.value.controller, 'line one\nline two', signature);
    assert.equal(verified.ok, true, chain);
    const other = readController(generateControllerKey(chain).controller);
    assert.ok(other.ok);
    assert.equal((await verifyOwnershipSignature(other.value, 'line one\nline two', signature)).ok, false, chain);
  }
});

test('a key file is refused when its parts do not fit together', () => {
  const evm = generateControllerKey('evm');
  const solana = generateControllerKey('solana');
  for (const [value, message] of [
    [null, /expected a JSON object/],
    [{ ...evm, chain: 'btc' }, /chain/],
    [{ ...evm, private_key: '0x12' }, /private_key: expected 0x and 64 hex digits/],
    [{ ...solana, private_key: 'not base58 0OIl' }, /private_key: expected the base58 form/],
    [{ ...evm, controller: generateControllerKey('evm').controller }, /is not the account of this private_key/],
    [{ ...evm, controller: solana.controller }, /not a evm account/],
    [{ ...evm, controller: 'did:web:example.com' }, /controller: must be a did:pkh DID/],
  ] as const) {
    const read = readControllerKey(value);
    assert.equal(read.ok, false);
    assert.match((read as { message: string }).message, message);
  }
});
