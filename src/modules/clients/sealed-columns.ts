import { sealedColumn } from '#platform/crypto/sealed-columns.ts';
import { webhookSecretContext } from '#modules/webhooks/webhook-secret-context.ts';

/**
 * The webhook secrets api_clients held before webhook_endpoints (migration 0010): nothing reads
 * them any more, but until a migration drops them they are ciphertext under the old key in every
 * backup, so a rotation re-seals them too (same associated data as the webhook endpoints').
 */
export const CLIENT_SEALED_COLUMNS = ['webhook_secret_sealed', 'webhook_secret_previous_sealed'].map((column) =>
  sealedColumn({ table: 'api_clients', column, primaryKey: ['id'], contextColumns: [], associatedData: (row) => webhookSecretContext(row.id) }),
);
