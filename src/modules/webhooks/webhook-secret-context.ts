import { sealedColumn } from '#platform/crypto/sealed-columns.ts';

/**
 * The associated data a webhook secret is sealed with: the client id, so a sealed secret cannot be
 * moved to another partner. The text predates the webhook_endpoints table and must not change:
 * stored secrets were sealed with it.
 */
export function webhookSecretContext(clientId: string): string {
  return `api_clients.webhook_secret:${clientId}`;
}

/** For `veridity rotate-encryption-key`: the current secret and the one a rotation replaced. */
export const WEBHOOK_SEALED_COLUMNS = ['secret_sealed', 'previous_secret_sealed'].map((column) =>
  sealedColumn({ table: 'webhook_endpoints', column, primaryKey: ['client_id'], contextColumns: [], associatedData: (row) => webhookSecretContext(row.client_id) }),
);
