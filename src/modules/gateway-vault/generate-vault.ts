import { createHash } from 'node:crypto';
import { canonicalJsonBytes } from '#platform/canonical-json.ts';
import { inTransaction } from '#platform/db/pool.ts';
import { listGatewayCredentials } from '#modules/clients/list-gateway-credentials.ts';
import type { GlobalManagerDeps, TaskContext } from '#modules/global-manager/task.ts';
import { NOT_YET_PRICED, type PartnerPricing } from './partner-pricing.ts';
import { GATEWAY_VAULT_KEY_PURPOSE, signVault, type VaultPartner } from './vault-document.ts';

/** Serialises vault versions (the leader lock already does; a second writer would wait here, not fork a version). */
const VAULT_LOCK_KEY = 7_246_831_004;

export const vaultObjectKey = (version: number | 'latest') => `vault/${version}.jws`;

type VaultRow = { version: number; content_sha256: Buffer; jws: string; published_at: Date | null };

/**
 * The gateway vault task: builds the partners list; a new version (latest + 1, signed) only when
 * it differs from the latest's; then writes vault/<version>.jws and vault/latest.jws unless the
 * latest is already published. Each step is resumable: a kill before the commit leaves nothing,
 * a kill after it leaves `published_at` null and the next run writes the objects. A rerun of an
 * unchanged database gives the same version and content.
 */
export async function generateVault(deps: GlobalManagerDeps, context: TaskContext, pricing: PartnerPricing): Promise<Record<string, number>> {
  const credentials = await listGatewayCredentials(deps.pool, context.now);
  const priced = await pricing(deps, credentials.map((credential) => credential.clientId), context.now);
  const partners: VaultPartner[] = credentials.map((credential) => {
    const { plan, overCap } = priced.get(credential.clientId) ?? NOT_YET_PRICED;
    return {
      client_id: credential.clientId,
      api_key_sha256: credential.keySha256s[0]!.toString('hex'),
      api_key_sha256s: credential.keySha256s.map((hash) => hash.toString('hex')),
      scopes: credential.scopes,
      rate_limit_per_minute: credential.rateLimitPerMinute,
      plan,
      over_cap: overCap,
    };
  });
  const contentSha256 = createHash('sha256').update(canonicalJsonBytes(partners)).digest();
  context.signal.throwIfAborted();

  const key = await deps.platformKeys.activeKey(GATEWAY_VAULT_KEY_PURPOSE);
  const { vault, created } = await inTransaction(deps.pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [VAULT_LOCK_KEY]);
    const { rows: [latest] } = await client.query<VaultRow>('SELECT version, content_sha256, jws, published_at FROM gateway_vaults ORDER BY version DESC LIMIT 1');
    if (latest && latest.content_sha256.equals(contentSha256)) return { vault: latest, created: false };
    const version = (latest?.version ?? 0) + 1;
    const jws = await signVault(key, { version, issued_at: context.now.toISOString(), partners });
    await client.query(
      'INSERT INTO gateway_vaults (version, content_sha256, partners, jws, key_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [version, contentSha256, partners.length, jws, key.id, context.now],
    );
    return { vault: { version, content_sha256: contentSha256, jws, published_at: null } satisfies VaultRow, created: true };
  });

  let published = 0;
  if (vault.published_at === null) {
    const body = Buffer.from(vault.jws, 'utf8');
    await deps.storage.put(vaultObjectKey(vault.version), body, 'application/jose');
    await deps.storage.put(vaultObjectKey('latest'), body, 'application/jose');
    await deps.pool.query('UPDATE gateway_vaults SET published_at = $2 WHERE version = $1', [vault.version, context.now]);
    published = 1;
  }
  return { version: vault.version, partners: partners.length, new_version: created ? 1 : 0, published };
}
