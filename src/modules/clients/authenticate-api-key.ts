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
  /** Access tokens and API-key console sessions carry it; an older one predates the operator's key rotation or the client's disabling. */
  tokenGeneration: number;
};

/** The key a lookup by hash found (enabled; it may have expired since it was cached). */
export type KeyAuthView = { id: string; lastUsedAt: Date | null; expiresAt: Date | null };

/** The client partner auth attaches to `request.client`: its effective rate limit resolved. */
export type AuthenticatedClient = ClientAuthView & { rateLimitPerMinute: number };

export type AuthenticateResult =
  | { ok: true; client: ClientAuthView; key: KeyAuthView }
  | { ok: false; code: 'MISSING_KEY' | 'UNKNOWN_KEY' | 'CLIENT_DISABLED' | 'KEY_DISABLED' | 'EXPIRED' };

/** `key`: only for a lookup by key (hash or id). DISABLED: the client is; KEY_DISABLED: only the key. */
export type ClientLookup = { ok: true; client: ClientAuthView; key?: KeyAuthView } | { ok: false; code: 'UNKNOWN' | 'DISABLED' | 'KEY_DISABLED' };

/** `authCache`: serve enabled clients from memory (see client-auth-cache.ts); without it every lookup reads the database. */
export type ClientAuthDeps = { db: Db; authCache?: ClientAuthCache<ClientLookup> | undefined };

/** The authentication view of a client, by key hash, by key id or by client id. */
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

/** One statement each way: by key, the key joined to its client (the hot path gains no round trip). */
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
    .where('keyHash' in by ? eq(apiKeys.keyHash, by.keyHash) : eq(apiKeys.id, by.keyId));
  if (!row) return { ok: false, code: 'UNKNOWN' };
  if (row.clientDisabledAt) return { ok: false, code: 'DISABLED' };
  if (row.keyDisabledAt) return { ok: false, code: 'KEY_DISABLED' };
  return { ok: true, client: row.client, key: row.key };
}

/**
 * Looks the key up by its SHA-256; the plain key is never compared or stored. A key past its
 * `expires_at` (replaced by a rotation) is refused: checked on every request, cached or not.
 */
export async function authenticateApiKey(deps: ClientAuthDeps & { clock: Clock }, apiKey: string | undefined): Promise<AuthenticateResult> {
  if (!apiKey) return { ok: false, code: 'MISSING_KEY' };
  return keyStillWorking(deps.clock, await findClientForAuth(deps, { keyHash: hashToken(apiKey) }));
}

/**
 * Whether the key an access token or a console session was obtained with still works, by its id
 * (served from the same cache as keys by hash): not disabled, nor past the expiry a rotation set,
 * its partner enabled.
 */
export async function authenticateApiKeyById(deps: ClientAuthDeps & { clock: Clock }, keyId: string): Promise<AuthenticateResult> {
  return keyStillWorking(deps.clock, await findClientForAuth(deps, { keyId }));
}

const LOOKUP_FAILURES = { UNKNOWN: 'UNKNOWN_KEY', DISABLED: 'CLIENT_DISABLED', KEY_DISABLED: 'KEY_DISABLED' } as const;

function keyStillWorking(clock: Clock, found: ClientLookup): AuthenticateResult {
  if (!found.ok) return { ok: false, code: LOOKUP_FAILURES[found.code] };
  const key = found.key!;
  if (key.expiresAt && key.expiresAt <= clock.now()) return { ok: false, code: 'EXPIRED' };
  return { ok: true, client: found.client, key };
}
