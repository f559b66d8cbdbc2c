import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRetryAfter } from './parse-retry-after.ts';

const now = new Date('1994-11-06T08:48:37Z');

test('reads delay-seconds', () => {
  assert.equal(parseRetryAfter('120', now), 120);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
  assert.equal(parseRetryAfter(undefined, now), undefined);
});

test('reads all three HTTP-date formats (RFC 9110 examples, 60 s after now)', () => {
  assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now), 60);
  assert.equal(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now), 60);
  assert.equal(parseRetryAfter('Sun Nov  6 08:49:37 1994', now), 60);
});

test('rounds partial seconds up and clamps past dates to zero', () => {
  const later = new Date('1994-11-06T08:48:37.400Z');
  assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', later), 60); // 59.6 s
  assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:00:00 GMT', now), 0);
});

test('a two-digit year more than 50 years ahead is read as the past century', () => {
  const in2026 = new Date('2026-01-01T00:00:00Z');
  // 76 -> 2076 is exactly 50 years ahead: kept; 77 -> 2077 is more: read as 1977, in the past.
  assert.ok((parseRetryAfter('Friday, 01-Jan-76 00:00:00 GMT', in2026) ?? 0) > 49 * 365 * 86400);
  assert.equal(parseRetryAfter('Saturday, 01-Jan-77 00:00:00 GMT', in2026), 0);
});

test('ignores values that are neither', () => {
  for (const value of [
    '',
    '-5',
    '1.5',
    '12abc',
    'soon',
    '2026-03-01T12:00:00Z', // ISO 8601 is not an HTTP-date
    'Sun, 06 Nov 1994 08:49:37 UTC',
    'Sun, 31 Feb 1994 08:49:37 GMT', // no such day
    'Sun, 06 Nov 1994 25:00:00 GMT',
    '99999999999',
  ]) {
    assert.equal(parseRetryAfter(value, now), undefined, value);
  }
});
