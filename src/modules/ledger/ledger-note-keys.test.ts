import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { test } from 'node:test';
import { ledgerSignerKey, ledgerVerifierKey } from './ledger-note-keys.ts';
import { generateNoteKey, openCheckpoint, signCheckpoint } from './tlog/index.ts';

const ORIGIN = 'veridity/ledger/0123456789abcdef';
// PKCS#8 prefix of a raw Ed25519 seed (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A pair from the tlog core (Go-compatible encodings), and the KeyObject rebuilt from its seed. */
function referencePair(): { signerKey: string; verifierKey: string; privateKey: KeyObject } {
  const reference = generateNoteKey(ORIGIN);
  // PRIVATE+KEY+<name>+<8 hex>+<base64(0x01 || seed)>; the base64 may itself contain '+'.
  const seed = Buffer.from(reference.signerKey.slice(`PRIVATE+KEY+${ORIGIN}+`.length + 9), 'base64').subarray(1);
  return { ...reference, privateKey: createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }) };
}

test('keys derived from a platform KeyObject are the signed-note encodings of the same key pair', () => {
  for (let i = 0; i < 20; i++) {
    const { privateKey, ...reference } = referencePair();
    assert.equal(ledgerSignerKey(ORIGIN, privateKey), reference.signerKey);
    assert.equal(ledgerVerifierKey(ORIGIN, createPublicKey(privateKey)), reference.verifierKey);
    assert.equal(ledgerVerifierKey(ORIGIN, privateKey), reference.verifierKey, 'a private KeyObject yields its public half');
  }
});

test('a checkpoint signed with the derived signer key opens with the derived verifier key only', () => {
  const { privateKey } = referencePair();
  const note = signCheckpoint({ origin: ORIGIN, treeSize: 3, rootHash: Buffer.alloc(32, 7) }, ledgerSignerKey(ORIGIN, privateKey));
  const opened = openCheckpoint(note, ledgerVerifierKey(ORIGIN, createPublicKey(privateKey)));
  assert.ok(opened.ok);
  assert.equal(opened.checkpoint.treeSize, 3);
  assert.equal(openCheckpoint(note, generateNoteKey(ORIGIN).verifierKey).ok, false);
});

test('non-Ed25519 keys are refused', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  assert.throws(() => ledgerSignerKey(ORIGIN, privateKey), TypeError);
  assert.throws(() => ledgerVerifierKey(ORIGIN, publicKey), TypeError);
});
