import { describe, expect, test } from 'vitest';
import { postingFormSchema, toPosting, type PostingForm } from './partner-balance.tsx';

const form = (values: Partial<PostingForm>): PostingForm => ({ kind: 'deposit', amount: '', reason: '', reference: '', ...values });
/** What the form submits: the values as the schema reads them (trimmed), turned into the API's body. */
const posting = (values: Partial<PostingForm>) => toPosting(postingFormSchema('EUR').parse(form(values)), 'EUR');
const errors = (values: Partial<PostingForm>) => {
  const result = postingFormSchema('EUR').safeParse(form(values));
  return result.success ? {} : Object.fromEntries(result.error.issues.map((issue) => [issue.path.join('.'), issue.message]));
};

describe('recording a transaction', () => {
  test('a deposit: a positive amount in major units, sent as minor units; no reason taken', () => {
    expect(errors({ amount: '10.50' })).toEqual({});
    expect(posting({ amount: '10.50', reason: 'ignored', reference: ' wire 42 ' })).toEqual({ kind: 'deposit', amount: 1050, reference: 'wire 42' });
    expect(errors({ amount: '0' })).toEqual({ amount: 'More than zero' });
    expect(errors({ amount: '-5' })).toEqual({ amount: 'More than zero' });
    expect(errors({ amount: '1.005' })).toEqual({ amount: 'An amount in EUR, like 10.00' });
  });

  test('a refund and an adjustment need a reason; an adjustment may be negative, never zero', () => {
    expect(errors({ kind: 'refund', amount: '3' })).toEqual({ reason: 'Say why: the partner sees it with the transaction' });
    expect(posting({ kind: 'refund', amount: '3', reason: 'double charge' })).toEqual({ kind: 'refund', amount: 300, reason: 'double charge' });
    expect(errors({ kind: 'adjustment', amount: '-0.50', reason: 'rounding' })).toEqual({});
    expect(posting({ kind: 'adjustment', amount: '-0.50', reason: 'rounding' })).toEqual({ kind: 'adjustment', amount: -50, reason: 'rounding' });
    expect(errors({ kind: 'adjustment', amount: '0', reason: 'nothing' })).toEqual({ amount: 'Not zero: negative takes from the balance' });
  });
});
