import { drizzle } from 'drizzle-orm/node-postgres';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { configureWebhookEndpoint } from './configure-webhook-endpoint.ts';

/**
 * A partner sets (or changes) its own webhook URL, audited; the caller has checked the URL against
 * the SSRF policy. Answers the secret when this was the first URL (shown once).
 */
export async function setWebhookEndpoint(
  deps: { pool: Pool; clock: Clock; secretBox: SecretBox },
  clientId: string,
  url: string,
  actor: AuditActor,
): Promise<{ secret: string | undefined }> {
  return inTransaction(deps.pool, async (tx) => {
    const db = drizzle({ client: tx });
    const secret = await configureWebhookEndpoint({ db, secretBox: deps.secretBox }, clientId, url);
    await recordAudit(db, actor, { action: 'webhook.endpoint_set', targetType: 'api_client', targetId: clientId, details: { url, first: secret !== undefined } }, deps.clock.now());
    return { secret };
  });
}
