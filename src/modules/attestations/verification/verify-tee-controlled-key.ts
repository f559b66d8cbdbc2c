import { createHash } from 'node:crypto';
import type { Result } from './types.ts';

/**
 * teeControlledKey check (dstack gateway): the ACME account that obtains the domain's certificates
 * is bound to a TEE. The account quote, already verified like any evidence quote, must carry
 * report_data = SHA-512("acme-account:" || account URI), as dstack's QuoteContentType::Custom does.
 */
export function verifyTeeControlledKey(input: { accountUri: string; accountQuoteReportData: string }): Result<null, 'ACCOUNT_KEY_NOT_BOUND'> {
  const expected = createHash('sha512').update(`acme-account:${input.accountUri}`).digest('hex');
  if (input.accountQuoteReportData === expected) return { ok: true, value: null };
  return { ok: false, code: 'ACCOUNT_KEY_NOT_BOUND', message: `account quote report_data is not SHA-512("acme-account:${input.accountUri}")` };
}
