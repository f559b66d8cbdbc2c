import { eq } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { generateWebhookSecret } from './delivery/sign-webhook.ts';
import { webhookSecretContext } from './webhook-secret-context.ts';
import { webhookEndpoints } from './tables.ts';

/**
 * Sets a partner's webhook URL on the caller's transaction, which must hold the partner's row lock
 * (two first URLs at once would both insert). A first URL gets a signing secret, returned here once;
 * changing the URL keeps the secret, so receivers need no new configuration. Setting a URL (even
 * the same one) re-enables an endpoint that was disabled by a 410 Gone.
 */
export async function configureWebhookEndpoint(deps: { db: Db; secretBox: SecretBox }, clientId: string, url: string): Promise<string | undefined> {
  const updated = await deps.db
    .update(webhookEndpoints)
    .set({ url, disabledAt: null, disabledReason: null })
    .where(eq(webhookEndpoints.clientId, clientId))
    .returning({ clientId: webhookEndpoints.clientId });
  if (updated.length > 0) return undefined;
  const secret = generateWebhookSecret();
  await deps.db.insert(webhookEndpoints).values({ clientId, url, secretSealed: deps.secretBox.encrypt(secret, webhookSecretContext(clientId)) });
  return secret;
}
