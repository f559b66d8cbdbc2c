import { createHash } from 'node:crypto';
import type { QuotePlatformKey } from './extract-quote-fmspc.ts';
import { isPreparedCollateral, prepareCollateral } from './prepare-collateral.ts';
import type { PreparedCollateral } from './prepare-collateral.ts';

/** What identifies the collateral a quote needs: Intel serves it per FMSPC, PCK CA and TEE. */
export type CollateralKey = QuotePlatformKey;

/**
 * Where collateral comes from (the platform's stored PCS/PCCS responses, a PCCS, a test fixture).
 * Returns the raw collateral object or JSON text, or undefined when it has none for the key.
 */
export type CollateralSource = { getCollateral(key: CollateralKey): Promise<unknown> | unknown };

export type PreparedCollateralCacheStats = { hits: number; misses: number; entries: number };

/**
 * Memoises prepareCollateral: the same collateral (by SHA-256 of its content) is parsed,
 * chain-checked and signature-checked once. Failures are not cached, so a
 * refreshed collateral is always re-examined. Bounded; the least recently used entry goes first.
 */
export type PreparedCollateralCache = {
  prepare(raw: unknown): ReturnType<typeof prepareCollateral>;
  stats(): PreparedCollateralCacheStats;
  clear(): void;
};

export function createPreparedCollateralCache(options: { maxEntries?: number } = {}): PreparedCollateralCache {
  const maxEntries = options.maxEntries ?? 64;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError('maxEntries must be a positive integer');
  const entries = new Map<string, PreparedCollateral>();
  let hits = 0;
  let misses = 0;

  return {
    prepare(raw) {
      if (isPreparedCollateral(raw)) {
        hits++;
        return { ok: true, value: raw };
      }
      const key = contentDigest(raw);
      const cached = key === null ? undefined : entries.get(key);
      if (cached) {
        hits++;
        entries.delete(key!); // re-insert: Map order is the recency order
        entries.set(key!, cached);
        return { ok: true, value: cached };
      }
      misses++;
      const result = prepareCollateral(raw);
      if (result.ok && key !== null) {
        entries.set(key, result.value);
        if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      }
      return result;
    },
    stats: () => ({ hits, misses, entries: entries.size }),
    clear() {
      entries.clear();
      hits = 0;
      misses = 0;
    },
  };
}

// Content, not identity: hashing ~30 KB costs ~0.1 ms against ~3 ms to prepare, and a caller that
// mutates a collateral object in place can never be served a stale entry.
function contentDigest(raw: unknown): string | null {
  if (typeof raw === 'string') return createHash('sha256').update(raw).digest('hex');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const entries = Object.entries(raw).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}
