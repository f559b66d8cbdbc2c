import { drizzle } from 'drizzle-orm/node-postgres';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { generateWebhookSecret } from './delivery/sign-webhook.ts';
import { webhookSecretContext } from './webhook-secret-context.ts';

/** How long the replaced secret keeps signing next to the new one. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

export type RotateWebhookSecretResult =
  | { ok: true; secret: string; previousExpiresAt: Date }
  | { ok: false; code: 'NO_ENDPOINT'; message: string };

/**
 * Issues a new signing secret (returned once). For 24 h every webhook carries signatures with
 * both secrets, so receivers can switch at their pace. Rotating again within those 24 h retires
 * the oldest secret at once: only the one being replaced keeps signing.
 */
export async function rotateWebhookSecret(
  deps: { pool: Pool; clock: Clock; secretBox: SecretBox },
  clientId: string,
  actor: AuditActor,
): Promise<RotateWebhookSecretResult> {
  const now = deps.clock.now();
  const previousExpiresAt = new Date(now.getTime() + ROTATION_OVERLAP_MS);
  const secret = generateWebhookSecret();
  const sealed = deps.secretBox.encrypt(secret, webhookSecretContext(clientId));
  return inTransaction(deps.pool, async (tx) => {
    // Every right-hand side reads the row as it was: the current secret becomes the previous one.
    const { rowCount } = await tx.query(
      `UPDATE webhook_endpoints
          SET previous_secret_sealed = secret_sealed,
              previous_secret_expires_at = $3,
              secret_sealed = $2
        WHERE client_id = $1`,
      [clientId, sealed, previousExpiresAt],
    );
    if (rowCount !== 1) return { ok: false, code: 'NO_ENDPOINT', message: 'no webhook URL (and so no secret) is configured for this partner' } as const;
    await recordAudit(drizzle({ client: tx }), actor, {
      action: 'webhook.secret_rotated',
      targetType: 'api_client',
      targetId: clientId,
      details: { previous_secret_expires_at: previousExpiresAt.toISOString() },
    }, now);
    return { ok: true, secret, previousExpiresAt } as const;
  });
}
