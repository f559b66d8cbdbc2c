import assert from 'node:assert/strict';
import { it } from 'node:test';
import { findUnsafeString } from './unsafe-strings.ts';

it('names the path of the first NUL or lone surrogate, in values and in keys, at any depth', () => {
  const body = { claim_type: 'age_over_18', proof: { pi_a: ['1', '2', '1'], pi_b: [['1', '2'], ['3', 'x\u0000'], ['1', '0']] }, request: { nonce: 'n' } };
  assert.equal(findUnsafeString(body, 'body'), 'body.proof.pi_b[1][1]');
  assert.equal(findUnsafeString({ a: [{ b: '\ud800' }] }, 'body'), 'body.a[0].b');
  assert.equal(findUnsafeString({ a: { ['k\u0000']: 1 } }, 'body'), 'body.a');
  assert.equal(findUnsafeString('\udc00', 'params'), 'params');
  assert.equal(findUnsafeString(body.proof, 'body'), 'body.pi_b[1][1]');
  assert.equal(findUnsafeString({ ok: ['fine', { deeper: 'still fine', n: 1, nothing: null }] }, 'body'), undefined);
  assert.equal(findUnsafeString(undefined, 'querystring'), undefined);
});
