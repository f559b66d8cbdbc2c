import { createHash } from 'node:crypto';

export type LruCache<T> = { get(key: string): T | undefined; set(key: string, value: T): void };

/** A Map bounded to `capacity` entries; the least recently used goes first. */
export function createLruCache<T>(capacity: number): LruCache<T> {
  const entries = new Map<string, T>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key, value) {
      if (entries.size >= capacity && !entries.has(key)) entries.delete(entries.keys().next().value!);
      entries.set(key, value);
    },
  };
}

type Read<T, F> = () => { ok: true; value: T } | F;

/**
 * Facts read from DER, remembered by the SHA-256 of that DER: a partner's anchors, CRLs and
 * the certificates its stations send recur in every submission. Keyed by content, so a caller
 * reusing or mutating a buffer never gets another object's facts. Failures are not remembered.
 */
export function createFactsCache<T>(capacity: number) {
  const cache = createLruCache<T>(capacity);
  return <F extends { ok: false }>(der: Uint8Array, read: Read<T, F>): { ok: true; value: T } | F => {
    const key = createHash('sha256').update(der).digest('base64');
    const known = cache.get(key);
    if (known !== undefined) return { ok: true, value: known };
    const result = read();
    if (result.ok) cache.set(key, result.value);
    return result;
  };
}
