import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimValues } from './oidc-role.ts';

test('a role claim is read as a claim, a dotted path into nested claims, a string or an array of strings', () => {
  assert.deepEqual(claimValues({ veridity_role: 'operator' }, 'veridity_role'), ['operator']);
  assert.deepEqual(claimValues({ realm_access: { roles: ['offline_access', 'operator', 7] } }, 'realm_access.roles'), ['offline_access', 'operator']);
  // A claim whose own name has dots (URL-style) is taken as it is before any path.
  assert.deepEqual(claimValues({ 'https://veridity.example/role': 'operator' }, 'https://veridity.example/role'), ['operator']);
  assert.deepEqual(claimValues({ realm_access: null }, 'realm_access.roles'), []);
  assert.deepEqual(claimValues({ veridity_role: { operator: true } }, 'veridity_role'), []);
  assert.deepEqual(claimValues({}, 'veridity_role'), []);
});
