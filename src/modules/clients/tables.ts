import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { bytea } from '#platform/db/columns.ts';

export const apiClients = pgTable('api_clients', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  scopes: text('scopes').array().notNull(),
  /** The client's own limit; null: its plan's (or the default without a plan). */
  rateLimitPerMinute: integer('rate_limit_per_minute'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  /** The partner's last use of any credential (a key, an access token); each key has its own too. */
  lastUsed: timestamp('last_used', { withTimezone: true }),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
  /** Bumped by key rotation and disabling; access tokens of an older generation are revoked. */
  tokenGeneration: integer('token_generation').notNull().default(0),
});

export type ApiClientRow = typeof apiClients.$inferSelect;

/** A partner's API keys (migration 0034): only the SHA-256 of a key is stored. */
export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  clientId: text('client_id').notNull().references(() => apiClients.id),
  name: text('name').notNull(),
  keyHash: bytea('key_hash').notNull().unique(),
  keyPrefix: text('key_prefix').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  /** Set by a rotation: the replaced key works until then. */
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
});

export type ApiKeyRow = typeof apiKeys.$inferSelect;
