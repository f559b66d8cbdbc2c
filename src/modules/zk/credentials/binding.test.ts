import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { BN254_SCALAR_FIELD_ORDER } from './attributes.ts';
import { BINDING_TAG, canonicalizeVerifierDomain, computeBinding } from './binding.ts';

/** Independent implementation: node:crypto over Buffer concatenation. */
function referenceBinding(nonce: string, canonicalDomain: string): bigint {
  const digest = createHash('sha256')
    .update(Buffer.concat([Buffer.from(BINDING_TAG, 'utf8'), Buffer.from([0]), Buffer.from(nonce, 'utf8'), Buffer.from([0]), Buffer.from(canonicalDomain, 'utf8')]))
    .digest('hex');
  return BigInt(`0x${digest}`) >> 3n;
}

// Computed with `printf 'veridity/binding/v1\0%s\0%s' "$nonce" "$domain" | sha256sum` and a
// right shift by 3 in Python (see circuits/README.md). Pinned so the format cannot drift.
const FIXED_VECTORS = [
  {
    nonce: '3f9a1c2e7b6d4a58',
    domain: 'bank.example',
    binding: 10624478731910636111970428729322625188120816698414914192449469601520241779303n,
  },
  {
    nonce: 'req_01jd5x7q9kz3m8n2p4r6t8v0wy',
    domain: 'verifier.veridity.dev',
    binding: 7487144944102228301820817688732221699258178712894958330778125213515020996456n,
  },
  {
    nonce: 'nonce-ü-✓',
    domain: 'xn--bcher-kva.example',
    binding: 7201443869863749774704598467216066606909947936177466366028279971400987546165n,
  },
  { nonce: '', domain: 'a', binding: 10811333664396476991692999601065008317689124569013381075112931759252593905722n },
];

test('fixed vectors', () => {
  for (const { nonce, domain, binding } of FIXED_VECTORS) assert.equal(computeBinding(nonce, domain), binding, nonce);
});

test('agrees with an independent node:crypto implementation', () => {
  const cases: Array<[string, string]> = [
    ['n', 'example.com'],
    ['0x' + 'ab'.repeat(32), 'partner.bank.example'],
    ['x'.repeat(200), 'very-long-label-'.repeat(10) + 'example'],
    ['emoji 🦀 nonce', 'xn--mnchen-3ya.de'],
    ['a\u0001b', 'b'],
  ];
  for (const [nonce, domain] of cases) assert.equal(computeBinding(nonce, domain), referenceBinding(nonce, domain));
});

test('is always a BN254 field element (top 253 bits of the digest)', () => {
  for (let i = 0; i < 200; i++) {
    const binding = computeBinding(`nonce-${i}`, 'bank.example');
    assert.ok(binding >= 0n && binding < 2n ** 253n && binding < BN254_SCALAR_FIELD_ORDER);
  }
});

test('domain canonicalisation: trim, lowercase, one trailing dot', () => {
  assert.equal(canonicalizeVerifierDomain('  Bank.EXAMPLE.\n'), 'bank.example');
  assert.equal(canonicalizeVerifierDomain('bank.example..'), 'bank.example.');
  assert.equal(computeBinding('3f9a1c2e7b6d4a58', ' Bank.Example. '), FIXED_VECTORS[0]!.binding);
  assert.notEqual(computeBinding('3f9a1c2e7b6d4a58', 'bank.example..'), FIXED_VECTORS[0]!.binding);
});

test('nonce and domain are separated: moving bytes across the separator changes the binding', () => {
  assert.notEqual(computeBinding('ab', 'c.example'), computeBinding('a', 'bc.example'));
  assert.notEqual(computeBinding('nonce', 'bank.example'), computeBinding('Nonce', 'bank.example'));
});

test('rejects inputs that would make the encoding ambiguous', () => {
  assert.throws(() => computeBinding('a\u0000b', 'bank.example'), RangeError);
  assert.throws(() => computeBinding('\ud800', 'bank.example'), RangeError);
  assert.throws(() => computeBinding('nonce', '\udc00.example'), RangeError);
  assert.throws(() => computeBinding('nonce', ' . '), RangeError);
});
