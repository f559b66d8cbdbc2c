import { eq } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import { hashToken } from '#platform/crypto/tokens.ts';
import { apiClients, apiKeys } from './tables.ts';
import { clientAuthCacheKey, type ClientAuthCache, type ClientAuthKey } from './client-auth-cache.ts';

/** A client as its credentials find it (cached in memory by client-auth-cache.ts). */
export type ClientAuthView = {
  id: string;
  name: string;
  scopes: string[];
  /** The client's own rate limit; null: its plan's (see `rateLimitPerMinute`). */
  rateLimitOverride: number | null;
  lastUsed: Date | null;
  /** Access tokens carry it; one from an older generation was issued before a key rotation or disabling. */
  tokenGeneration: number;
};

/** The key a lookup by hash found (enabled; it may have expired since it was cached). */
export type KeyAuthView = { id: string; lastUsedAt: Date | null; expiresAt: Date | null };

/** The client partner auth attaches to `request.client`: its effective rate limit resolved. */
export type AuthenticatedClient = ClientAuthView & { rateLimitPerMinute: number };

export type AuthenticateResult =
  | { ok: true; client: ClientAuthView; key: KeyAuthView }
  | { ok: false; code: 'MISSING_KEY' | 'UNKNOWN_KEY' | 'DISABLED' | 'EXPIRED' };

/** `key`: only for a lookup by key hash. A disabled key answers DISABLED, like a disabled client. */
export type ClientLookup = { ok: true; client: ClientAuthView; key?: KeyAuthView } | { ok: false; code: 'UNKNOWN' | 'DISABLED' };

/** `authCache`: serve enabled clients from memory (see client-auth-cache.ts); without it every lookup reads the database. */
export type ClientAuthDeps = { db: Db; authCache?: ClientAuthCache<ClientLookup> | undefined };

/** The authentication view of a client, by key hash or by id (for access tokens naming it). */
export async function findClientForAuth(deps: ClientAuthDeps, by: ClientAuthKey): Promise<ClientLookup> {
  if (!deps.authCache) return readClientForAuth(deps, by);
  return deps.authCache.find(clientAuthCacheKey(by), () => readClientForAuth(deps, by), (lookup) => (lookup.ok ? lookup.client.id : undefined));
}

const clientColumns = {
  id: apiClients.id,
  name: apiClients.name,
  scopes: apiClients.scopes,
  rateLimitOverride: apiClients.rateLimitPerMinute,
  lastUsed: apiClients.lastUsed,
  tokenGeneration: apiClients.tokenGeneration,
};

/** One statement either way: by hash, the key joined to its client (the hot path gains no round trip). */
async function readClientForAuth(deps: { db: Db }, by: ClientAuthKey): Promise<ClientLookup> {
  if ('id' in by) {
    const [row] = await deps.db.select({ client: clientColumns, disabledAt: apiClients.disabledAt }).from(apiClients).where(eq(apiClients.id, by.id));
    if (!row) return { ok: false, code: 'UNKNOWN' };
    return row.disabledAt ? { ok: false, code: 'DISABLED' } : { ok: true, client: row.client };
  }
  const [row] = await deps.db
    .select({
      client: clientColumns,
      clientDisabledAt: apiClients.disabledAt,
      key: { id: apiKeys.id, lastUsedAt: apiKeys.lastUsedAt, expiresAt: apiKeys.expiresAt },
      keyDisabledAt: apiKeys.disabledAt,
    })
    .from(apiKeys)
    .innerJoin(apiClients, eq(apiClients.id, apiKeys.clientId))
    .where(eq(apiKeys.keyHash, by.keyHash));
  if (!row) return { ok: false, code: 'UNKNOWN' };
  if (row.clientDisabledAt || row.keyDisabledAt) return { ok: false, code: 'DISABLED' };
  return { ok: true, client: row.client, key: row.key };
}

/**
 * Looks the key up by its SHA-256; the plain key is never compared or stored. A key past its
 * `expires_at` (replaced by a rotation) is refused: checked on every request, cached or not.
 */
export async function authenticateApiKey(deps: ClientAuthDeps & { clock: Clock }, apiKey: string | undefined): Promise<AuthenticateResult> {
  if (!apiKey) return { ok: false, code: 'MISSING_KEY' };
  const found = await findClientForAuth(deps, { keyHash: hashToken(apiKey) });
  if (!found.ok) return { ok: false, code: found.code === 'DISABLED' ? 'DISABLED' : 'UNKNOWN_KEY' };
  const key = found.key!;
  if (key.expiresAt && key.expiresAt <= deps.clock.now()) return { ok: false, code: 'EXPIRED' };
  return { ok: true, client: found.client, key };
}
