import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** A partner's webhook endpoint: one row per partner with a webhook URL. */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  clientId: text('client_id').primaryKey(),
  url: text('url').notNull(),
  secretSealed: text('secret_sealed').notNull(),
  previousSecretSealed: text('previous_secret_sealed'),
  previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true }),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
  disabledReason: text('disabled_reason'),
});
