import { describe, expect, test } from 'vitest';
import { formatAge, formatDuration } from './format.ts';

describe('operator figures', () => {
  test('an age in its largest whole unit', () => {
    expect([0, 59, 60, 3599, 3600, 86_399, 86_400, 200_000].map(formatAge)).toEqual(['0 s', '59 s', '1 min', '59 min', '1 h', '23 h', '1 d', '2 d']);
  });

  test('a duration in ms below a second, seconds above; none while running', () => {
    expect([null, 0, 999, 1000, 12_345].map(formatDuration)).toEqual(['—', '0 ms', '999 ms', '1.00 s', '12.3 s']);
  });
});
