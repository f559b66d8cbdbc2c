import { parseQuote } from './parse-quote.ts';
import { readPckChain } from './read-pck-chain.ts';
import type { PckCa, QuoteFailure } from './types.ts';

export type QuotePlatformKey = { fmspc: string; pck_ca: PckCa; tee: 'tdx' | 'sgx' };

/**
 * FMSPC (lowercase hex), PCK CA and TEE of a quote, read from its embedded PCK certificate without
 * verifying anything: the key for looking up cached collateral before verification.
 */
export function extractQuoteFmspc(quoteInput: unknown): { ok: true; value: QuotePlatformKey } | QuoteFailure {
  const parsed = parseQuote(quoteInput);
  if (!parsed.ok) return parsed;
  const chain = readPckChain(parsed.value);
  if (!chain.ok) return chain;
  return { ok: true, value: { fmspc: chain.value.fmspc, pck_ca: chain.value.ca, tee: parsed.value.body.tee } };
}
