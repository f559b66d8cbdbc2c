import { eq } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { generateWebhookSecret } from './delivery/sign-webhook.ts';
import { webhookSecretContext } from './webhook-secret-context.ts';
import { webhookEndpoints } from './tables.ts';

/**
 * Sets a partner's webhook URL, on the caller's transaction. A first URL gets a signing secret,
 * returned here once; changing the URL keeps the secret, so receivers need no new configuration.
 * Setting a URL (even the same one) re-enables an endpoint that was disabled by a 410 Gone.
 * Insert first: of two first URLs set at once, one inserts (and its secret is the one), the other
 * finds the row and updates it, so no lock is needed.
 */
export async function configureWebhookEndpoint(deps: { db: Db; secretBox: SecretBox }, clientId: string, url: string): Promise<string | undefined> {
  const secret = generateWebhookSecret();
  const inserted = await deps.db
    .insert(webhookEndpoints)
    .values({ clientId, url, secretSealed: deps.secretBox.encrypt(secret, webhookSecretContext(clientId)) })
    .onConflictDoNothing({ target: webhookEndpoints.clientId })
    .returning({ clientId: webhookEndpoints.clientId });
  if (inserted.length > 0) return secret;
  await deps.db.update(webhookEndpoints).set({ url, disabledAt: null, disabledReason: null }).where(eq(webhookEndpoints.clientId, clientId));
  return undefined;
}
