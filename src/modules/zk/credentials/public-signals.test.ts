import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BN254_SCALAR_FIELD_ORDER } from './attributes.ts';
import { buildWitnessInput, CIRCUIT_INPUT_NAMES } from './build-witness-input.ts';
import { CLAIM_TYPES, type ClaimType } from './claim-types.ts';
import type { Credential } from './credential-format.ts';
import { parsePublicSignals, PUBLIC_SIGNAL_COUNT, PUBLIC_SIGNAL_NAMES } from './public-signals.ts';

const signals = ['1', '0', '111', '222', '20260301', '18', '999'];

test('parses the seven signals in snarkjs order for every claim type', () => {
  assert.equal(PUBLIC_SIGNAL_COUNT, 7);
  assert.deepEqual(PUBLIC_SIGNAL_NAMES, ['result', 'not_expired', 'issuer_ax', 'issuer_ay', 'current_date', 'param', 'binding']);
  for (const claimType of CLAIM_TYPES) {
    assert.deepEqual(parsePublicSignals(claimType, signals), {
      ok: true,
      value: { result: 1n, notExpired: 0n, issuerAx: 111n, issuerAy: 222n, currentDate: 20260301n, param: 18n, binding: 999n },
    });
  }
});

test('rejects wrong counts, unknown claim types and non-canonical or out-of-field signals', () => {
  const code = (claimType: string, values: unknown[]) => {
    const parsed = parsePublicSignals(claimType as ClaimType, values);
    return parsed.ok ? 'ok' : parsed.code;
  };
  assert.equal(code('age_over_18', signals.slice(1)), 'SIGNAL_COUNT_MISMATCH');
  assert.equal(code('age_over_18', [...signals, '0']), 'SIGNAL_COUNT_MISMATCH');
  assert.equal(code('age_over_99', signals), 'UNKNOWN_CLAIM_TYPE');
  const r = BN254_SCALAR_FIELD_ORDER;
  for (const bad of ['01', '+1', '-1', '1e3', ' 1', '0x1', '', String(r), String(r + 18n), 18, 18n, null]) {
    assert.equal(code('citizenship', [...signals.slice(0, 5), bad, '999']), 'SIGNAL_NOT_FIELD_ELEMENT', String(bad));
  }
  assert.equal(code('citizenship', [...signals.slice(0, 6), String(r - 1n)]), 'ok');
});

const credential: Credential = {
  version: 1,
  attributes: {
    birth_date: '20000101',
    citizenship: '756',
    education_level: '3',
    annual_income: '50000',
    expiry_date: '20300101',
    holder_secret: '12345',
  },
  issuer: { ax: '1', ay: '2' },
  signature: { R8x: '3', R8y: '4', S: '5' },
};
const context = { currentDate: 20260301, param: 18n, nonce: 'n', verifierDomain: 'bank.example' };

test('buildWitnessInput maps credential and context onto the circuit inputs', () => {
  const built = buildWitnessInput(credential, 'age_over_18', context);
  assert.ok(built.ok);
  assert.deepEqual(Object.keys(built.value), [...CIRCUIT_INPUT_NAMES]);
  assert.equal(built.value.signature_s, '5');
  assert.equal(built.value.issuer_ay, '2');
  assert.equal(built.value.current_date, '20260301');
  assert.equal(built.value.param, '18');
});

test('buildWitnessInput refuses params and dates no verifier or circuit would accept', () => {
  const code = (claimType: string, change: Partial<typeof context>) => {
    const built = buildWitnessInput(credential, claimType as ClaimType, { ...context, ...change });
    return built.ok ? 'ok' : built.code;
  };
  assert.equal(code('age_over_18', { param: 21n }), 'PARAM_NOT_ACCEPTED');
  assert.equal(code('age_over_21', { param: 21n }), 'ok');
  assert.equal(code('income_gte', { param: 2n ** 64n }), 'PARAM_NOT_ACCEPTED');
  assert.equal(code('income_gte', { param: 2n ** 64n - 1n }), 'ok');
  assert.equal(code('education', { param: -1n }), 'PARAM_NOT_ACCEPTED');
  assert.equal(code('citizenship', { param: 1000n }), 'PARAM_NOT_ACCEPTED');
  assert.equal(code('age_over_18', { currentDate: 20250229 }), 'CURRENT_DATE_INVALID');
  assert.equal(code('age_over_18', { currentDate: 2026.5 }), 'CURRENT_DATE_INVALID');
  assert.equal(code('age_over_65', {}), 'UNKNOWN_CLAIM_TYPE');
});
