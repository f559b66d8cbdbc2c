import { describe, expect, test } from 'vitest';
import { formatAge, formatDuration, formatMoney, minorDigits, parseMoney } from './format.ts';

describe('operator figures', () => {
  test('an age in its largest whole unit', () => {
    expect([0, 59, 60, 3599, 3600, 86_399, 86_400, 200_000].map(formatAge)).toEqual(['0 s', '59 s', '1 min', '59 min', '1 h', '23 h', '1 d', '2 d']);
  });

  test('a duration in ms below a second, seconds above; none while running', () => {
    expect([null, 0, 999, 1000, 12_345].map(formatDuration)).toEqual(['—', '0 ms', '999 ms', '1.00 s', '12.3 s']);
  });
});

describe('money', () => {
  test('minor units as the currency has them', () => {
    expect([minorDigits('EUR'), minorDigits('JPY'), minorDigits('USD')]).toEqual([2, 0, 2]);
    // The reader's locale decides the symbol's place; the digits are the amount's.
    expect(formatMoney(123_456, 'EUR').replace(/[^\d.,-]/g, '')).toMatch(/^1[,.\u00a0]?234[.,]56$/);
    expect(formatMoney(-50, 'EUR')).toMatch(/-.*0[.,]50/);
    expect(formatMoney(0, 'EUR')).toMatch(/0[.,]00/);
    expect(formatMoney(-0, 'EUR')).toBe(formatMoney(0, 'EUR'));
    expect(formatMoney(1500, 'JPY').replace(/[^\d]/g, '')).toBe('1500');
  });

  test('an amount typed in major units, read exactly; anything else refused', () => {
    expect(['10', '10.5', '10.50', '0.29', '-0.5', '1,25', ' 7 ', '0'].map((text) => parseMoney(text, 'EUR'))).toEqual([1000, 1050, 1050, 29, -50, 125, 700, 0]);
    expect(['', 'ten', '1.234', '1.2.3', '--1', '1e3', '99999999999999999'].map((text) => parseMoney(text, 'EUR'))).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
    expect([parseMoney('15', 'JPY'), parseMoney('1.5', 'JPY')]).toEqual([15, undefined]);
  });
});
