import { eq } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import { hashToken } from '#platform/crypto/tokens.ts';
import { apiClients } from './tables.ts';
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

/** The client partner auth attaches to `request.client`: its effective rate limit resolved. */
export type AuthenticatedClient = ClientAuthView & { rateLimitPerMinute: number };

export type AuthenticateResult =
  | { ok: true; client: ClientAuthView }
  | { ok: false; code: 'MISSING_KEY' | 'UNKNOWN_KEY' | 'DISABLED' };

export type ClientLookup = { ok: true; client: ClientAuthView } | { ok: false; code: 'UNKNOWN' | 'DISABLED' };

/** `authCache`: serve enabled clients from memory (see client-auth-cache.ts); without it every lookup reads the database. */
export type ClientAuthDeps = { db: Db; authCache?: ClientAuthCache<ClientLookup> | undefined };

/** The authentication view of a client, by key hash or by id (for access tokens naming it). */
export async function findClientForAuth(deps: ClientAuthDeps, by: ClientAuthKey): Promise<ClientLookup> {
  if (!deps.authCache) return readClientForAuth(deps, by);
  return deps.authCache.find(clientAuthCacheKey(by), () => readClientForAuth(deps, by), (lookup) => (lookup.ok ? lookup.client.id : undefined));
}

async function readClientForAuth(deps: { db: Db }, by: ClientAuthKey): Promise<ClientLookup> {
  const [row] = await deps.db
    .select({
      id: apiClients.id,
      name: apiClients.name,
      scopes: apiClients.scopes,
      rateLimitOverride: apiClients.rateLimitPerMinute,
      lastUsed: apiClients.lastUsed,
      tokenGeneration: apiClients.tokenGeneration,
      disabledAt: apiClients.disabledAt,
    })
    .from(apiClients)
    .where('keyHash' in by ? eq(apiClients.keyHash, by.keyHash) : eq(apiClients.id, by.id));
  if (!row) return { ok: false, code: 'UNKNOWN' };
  if (row.disabledAt) return { ok: false, code: 'DISABLED' };
  const { disabledAt: _disabled, ...client } = row;
  return { ok: true, client };
}

/** Looks the key up by its SHA-256; the plain key is never compared or stored. */
export async function authenticateApiKey(deps: ClientAuthDeps, apiKey: string | undefined): Promise<AuthenticateResult> {
  if (!apiKey) return { ok: false, code: 'MISSING_KEY' };
  const found = await findClientForAuth(deps, { keyHash: hashToken(apiKey) });
  if (found.ok) return found;
  return { ok: false, code: found.code === 'DISABLED' ? 'DISABLED' : 'UNKNOWN_KEY' };
}
