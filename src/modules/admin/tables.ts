import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { bytea } from '#platform/db/columns.ts';

export const adminTokens = pgTable('admin_tokens', {
  id: text('id').primaryKey(),
  tokenHash: bytea('token_hash').notNull(),
  label: text('label').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});
