import type { ChangeFeed } from '#platform/db/change-feed.ts';

/** Where an authentication view comes from: the key's SHA-256, or the client id an access token names. */
export type ClientAuthKey = { keyHash: Buffer } | { id: string };

type Cached<Lookup> = { lookup: Lookup; clientId: string; expiresAt: number };

// A ceiling on staleness should a notification be lost without the connection dropping; the feed
// makes changes visible at once. The size bounds memory whatever keys are sent.
const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

/**
 * Partners' authentication views kept in memory, so a request does not read its key from the
 * database: dropped when the database announces a change of the client (disabled, key rotated,
 * scopes or limits changed; see migration 0013), and served only while that feed is live. Only
 * found, enabled clients are kept: an unknown or disabled key is read every time.
 */
export type ClientAuthCache<Lookup> = {
  /** `load` reads the database; `cacheableClientId` names the client of a lookup worth keeping (else undefined). */
  find(key: ClientAuthKey, load: () => Promise<Lookup>, cacheableClientId: (lookup: Lookup) => string | undefined): Promise<Lookup>;
  /**
   * Drops a client this process just changed, so its next request already sees the change: the
   * database's notification arrives a moment after the commit. Other processes' changes wait for it.
   */
  forget(clientId: string): void;
};

export function createClientAuthCache<Lookup>(feed: ChangeFeed, now: () => number = Date.now): ClientAuthCache<Lookup> {
  const entries = new Map<string, Cached<Lookup>>();
  const keysOfClient = new Map<string, Set<string>>();
  // Bumped by every change heard: a read that started before one may be stale and is not kept.
  let changes = 0;

  const forget = (cacheKey: string) => {
    const entry = entries.get(cacheKey);
    if (!entry) return;
    entries.delete(cacheKey);
    keysOfClient.get(entry.clientId)?.delete(cacheKey);
  };
  const forgetClient = (clientId: string | undefined) => {
    changes++;
    if (clientId === undefined) {
      entries.clear();
      keysOfClient.clear();
      return;
    }
    for (const cacheKey of keysOfClient.get(clientId) ?? []) entries.delete(cacheKey);
    keysOfClient.delete(clientId);
  };
  feed.subscribe('api_clients', forgetClient);

  return {
    async find(key, load, cacheableClientId) {
      const cacheKey = 'keyHash' in key ? `key:${key.keyHash.toString('base64')}` : `id:${key.id}`;
      const hit = entries.get(cacheKey);
      if (hit && hit.expiresAt > now() && feed.live()) return hit.lookup;
      if (hit) forget(cacheKey);
      const changesBefore = changes;
      const lookup = await load();
      const clientId = cacheableClientId(lookup);
      if (clientId !== undefined && feed.live() && changes === changesBefore) {
        entries.set(cacheKey, { lookup, clientId, expiresAt: now() + TTL_MS });
        keysOfClient.set(clientId, (keysOfClient.get(clientId) ?? new Set()).add(cacheKey));
        if (entries.size > MAX_ENTRIES) forget(entries.keys().next().value!);
      }
      return lookup;
    },
    forget: forgetClient,
  };
}
