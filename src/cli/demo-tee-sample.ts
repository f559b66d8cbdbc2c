import { readFile } from 'node:fs/promises';
import { SAMPLE_VERIFY_AT } from '#modules/attestations/verification/test-vectors.ts';

/** The repository's real Intel TDX test vector (see fixtures/PROVENANCE.md): a quote and the collateral it verifies with. */
const FIXTURES = new URL('../modules/attestations/verification/fixtures/', import.meta.url);

export type TeeSample = { body: Record<string, unknown>; description: string };

/**
 * A POST /api/v1/tasks body from the TDX test vector, or undefined when this checkout has no
 * fixtures (the walkthrough then shows how to submit one's own quote). The collateral has expired
 * since it was fetched, so the task asks for verification at a time inside its validity window.
 */
export async function loadTeeSample(): Promise<TeeSample | undefined> {
  const [quote, collateral] = await Promise.all([
    readFile(new URL('tdx_quote', FIXTURES)).catch(() => undefined),
    readFile(new URL('tdx_quote_collateral.json', FIXTURES), 'utf8').catch(() => undefined),
  ]);
  if (!quote || !collateral) return undefined;
  return {
    description: `a real Intel TDX quote with its collateral (test vector), checked as of ${SAMPLE_VERIFY_AT.toISOString().slice(0, 10)}`,
    body: {
      appId: 'demo-tdx-app',
      appName: 'Demo TDX app',
      appConfigType: 'phala_cloud',
      evidence: { quote: quote.toString('hex'), collateral: JSON.parse(collateral) as unknown, verifyAt: SAMPLE_VERIFY_AT.toISOString() },
    },
  };
}
