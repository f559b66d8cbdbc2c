import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  ATTRIBUTE_NAMES,
  BN254_SCALAR_FIELD_ORDER,
  generateHolderSecret,
  isCalendarDate,
  toYyyymmdd,
  validateAttributes,
  type CredentialAttributes,
} from './attributes.ts';
import { attributesFromJson, parseCredential } from './credential-format.ts';
import { deriveIssuerPublicKey, generateIssuerKey } from './generate-issuer-key.ts';
import { hashCredential } from './hash-credential.ts';
import { signCredential } from './sign-credential.ts';
import { verifyCredentialSignature } from './verify-credential-signature.ts';

const attributes: CredentialAttributes = {
  birth_date: 19900521n,
  citizenship: 276n,
  education_level: 4n,
  annual_income: 72_500n,
  expiry_date: 20310101n,
  holder_secret: generateHolderSecret(randomBytes),
};

async function sign(privateKey: string, values: CredentialAttributes) {
  const signed = await signCredential(privateKey, values);
  assert.ok(signed.ok, 'signing valid attributes succeeds');
  return signed.value;
}

test('issuer keys: 32-byte hex private key, public key is a deterministic function of it', async () => {
  const key = await generateIssuerKey();
  assert.match(key.privateKey, /^[0-9a-f]{64}$/);
  assert.match(key.publicKey.ax, /^[1-9][0-9]*$/);
  assert.deepEqual(await deriveIssuerPublicKey(key.privateKey), key.publicKey);
  assert.notDeepEqual((await generateIssuerKey()).publicKey, key.publicKey);
  await assert.rejects(deriveIssuerPublicKey('abcd'), TypeError);
});

test('a signed credential verifies; any changed attribute, key or signature does not', async () => {
  const issuer = await generateIssuerKey();
  const credential = await sign(issuer.privateKey, attributes);
  assert.equal(credential.version, 1);
  assert.deepEqual(credential.issuer, issuer.publicKey);
  assert.deepEqual(attributesFromJson(credential.attributes), attributes);
  assert.equal(await verifyCredentialSignature(credential), true);

  for (const name of ATTRIBUTE_NAMES) {
    const changed = { ...credential, attributes: { ...credential.attributes, [name]: String(attributes[name] + 1n) } };
    assert.equal(await verifyCredentialSignature(changed), false, name);
  }
  const otherIssuer = await generateIssuerKey();
  assert.equal(await verifyCredentialSignature({ ...credential, issuer: otherIssuer.publicKey }), false);
  const otherSignature = (await sign(otherIssuer.privateKey, attributes)).signature;
  assert.equal(await verifyCredentialSignature({ ...credential, signature: otherSignature }), false);
});

test('signing is deterministic and the hash depends on every attribute', async () => {
  const issuer = await generateIssuerKey();
  assert.deepEqual(await sign(issuer.privateKey, attributes), await sign(issuer.privateKey, attributes));
  const hash = await hashCredential(attributes);
  assert.ok(hash > 0n && hash < BN254_SCALAR_FIELD_ORDER);
  const hashes = new Set([hash]);
  for (const name of ATTRIBUTE_NAMES) hashes.add(await hashCredential({ ...attributes, [name]: attributes[name] + 1n }));
  assert.equal(hashes.size, ATTRIBUTE_NAMES.length + 1);
});

test('attributes outside the circuit range checks are refused before signing', async () => {
  const issuer = await generateIssuerKey();
  const cases: Array<[Partial<CredentialAttributes>, string]> = [
    [{ annual_income: 2n ** 64n }, 'ATTRIBUTE_OUT_OF_RANGE'],
    [{ annual_income: -1n }, 'ATTRIBUTE_OUT_OF_RANGE'],
    [{ education_level: 256n }, 'ATTRIBUTE_OUT_OF_RANGE'],
    [{ citizenship: 0n }, 'ATTRIBUTE_OUT_OF_RANGE'],
    [{ holder_secret: BN254_SCALAR_FIELD_ORDER }, 'ATTRIBUTE_OUT_OF_RANGE'],
    [{ birth_date: 100000000n }, 'ATTRIBUTE_OUT_OF_RANGE'],
    [{ birth_date: 20230229n }, 'ATTRIBUTE_NOT_A_DATE'],
    [{ expiry_date: 20301301n }, 'ATTRIBUTE_NOT_A_DATE'],
  ];
  for (const [change, code] of cases) {
    const result = await signCredential(issuer.privateKey, { ...attributes, ...change });
    assert.equal(result.ok, false, JSON.stringify(change, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
    assert.equal(!result.ok && result.code, code);
  }
  assert.equal(validateAttributes(attributes).ok, true);
});

test('calendar dates', () => {
  assert.equal(isCalendarDate(20240229n), true);
  assert.equal(isCalendarDate(20000229n), true);
  assert.equal(isCalendarDate(21000229n), false);
  assert.equal(isCalendarDate(20230229n), false);
  assert.equal(isCalendarDate(20230431n), false);
  assert.equal(isCalendarDate(20231200n), false);
  assert.equal(isCalendarDate(10101n), true);
  assert.equal(toYyyymmdd(new Date('2026-03-01T23:59:59Z')), 20260301);
  assert.equal(toYyyymmdd(new Date('2026-03-01T23:59:59-05:00')), 20260302);
});

test('holder secrets are non-zero field elements; out-of-range draws are rejected, not reduced', () => {
  const draws = [Buffer.alloc(32, 0xff), Buffer.alloc(32, 0), Buffer.from('01'.padStart(64, '0'), 'hex')];
  // 0xff..ff masked to 254 bits is >= r, then 0 is rejected, then 1 is accepted.
  assert.equal(generateHolderSecret(() => draws.shift()!), 1n);
  for (let i = 0; i < 50; i++) {
    const secret = generateHolderSecret(randomBytes);
    assert.ok(secret > 0n && secret < BN254_SCALAR_FIELD_ORDER);
  }
});

test('parseCredential accepts a signed credential and rejects malformed JSON', async () => {
  const credential = await sign((await generateIssuerKey()).privateKey, attributes);
  const roundTrip = parseCredential(JSON.parse(JSON.stringify(credential)));
  assert.deepEqual(roundTrip, { ok: true, value: credential });

  const malformed: unknown[] = [
    null,
    { ...credential, version: 2 },
    { ...credential, attributes: { ...credential.attributes, annual_income: 72500 } },
    { ...credential, attributes: { ...credential.attributes, citizenship: '0276' } },
    { ...credential, attributes: { ...credential.attributes, education_level: '300' } },
    { ...credential, signature: { ...credential.signature, S: BN254_SCALAR_FIELD_ORDER.toString() } },
    { ...credential, issuer: { ax: credential.issuer.ax } },
  ];
  for (const json of malformed) assert.equal(parseCredential(json).ok, false, JSON.stringify(json));
});
