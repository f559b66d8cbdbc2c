import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { bytea } from '#platform/db/columns.ts';

export const apiClients = pgTable('api_clients', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  keyHash: bytea('key_hash').notNull(),
  keyPrefix: text('key_prefix').notNull(),
  scopes: text('scopes').array().notNull(),
  /** The client's own limit; null: its plan's (or the default without a plan). */
  rateLimitPerMinute: integer('rate_limit_per_minute'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  lastUsed: timestamp('last_used', { withTimezone: true }),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
  /** Bumped by key rotation and disabling; access tokens of an older generation are revoked. */
  tokenGeneration: integer('token_generation').notNull().default(0),
});

export type ApiClientRow = typeof apiClients.$inferSelect;
