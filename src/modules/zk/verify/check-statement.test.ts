import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptableDates, checkStatement } from './check-statement.ts';

const now = new Date('2026-03-01T00:30:00Z');
const good = { result: 1n, notExpired: 1n, issuerAx: 1n, issuerAy: 2n, currentDate: 20260301n, param: 18n, binding: 42n };
const base = { signals: good, issuerTrusted: true, now, expectedParam: 18n, expectedBinding: 42n };

test('a statement passing every check is accepted', () => {
  assert.deepEqual(checkStatement(base), { ok: true });
});

test('each check has its own code', () => {
  const cases: Array<[Partial<typeof base>, string]> = [
    [{ issuerTrusted: false }, 'UNTRUSTED_ISSUER'],
    [{ signals: { ...good, currentDate: 20260303n } }, 'STALE_DATE'],
    [{ signals: { ...good, param: 17n } }, 'PARAMS_MISMATCH'],
    [{ signals: { ...good, binding: 43n } }, 'BINDING_MISMATCH'],
    [{ signals: { ...good, notExpired: 0n } }, 'CREDENTIAL_EXPIRED'],
    [{ signals: { ...good, result: 0n } }, 'NOT_ELIGIBLE'],
  ];
  for (const [override, code] of cases) {
    const result = checkStatement({ ...base, ...override });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.code, code);
  }
});

test('dates: yesterday, today and tomorrow (UTC) across a month boundary', () => {
  assert.deepEqual(acceptableDates(now), [20260228n, 20260301n, 20260302n]);
});
