import type { ChangeFeed } from '#platform/db/change-feed.ts';
import { createChangeFedCache, type ChangeFedCache } from '#platform/db/change-fed-cache.ts';

/**
 * Where an authentication view comes from: the key's SHA-256, the client id (a wallet or OIDC
 * session's partner), or the id of the key an access token or a console session was obtained with.
 */
export type ClientAuthKey = { keyHash: Buffer } | { id: string } | { keyId: string };

/**
 * Partners' authentication views kept in memory, so a request does not read its key from the
 * database: dropped when the database announces a change of the client (disabled, scopes or
 * limits changed; migration 0013) or of one of its keys (disabled, rotated; migration 0034 announces
 * it as a change of the client). Only found, enabled clients and keys are kept.
 */
export type ClientAuthCache<Lookup> = ChangeFedCache<Lookup>;

export function createClientAuthCache<Lookup>(feed: ChangeFeed): ClientAuthCache<Lookup> {
  return createChangeFedCache<Lookup>(feed, 'api_clients');
}

export function clientAuthCacheKey(by: ClientAuthKey): string {
  if ('keyHash' in by) return `key:${by.keyHash.toString('base64')}`;
  return 'keyId' in by ? `key_id:${by.keyId}` : `id:${by.id}`;
}
