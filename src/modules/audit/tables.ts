import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const auditLogs = pgTable('audit_logs', {
  id: text('id').primaryKey(),
  actorType: text('actor_type').$type<'admin' | 'system' | 'partner' | 'cli'>().notNull(),
  actorId: text('actor_id'),
  action: text('action').notNull(),
  targetType: text('target_type'),
  targetId: text('target_id'),
  details: jsonb('details').$type<Record<string, unknown>>().notNull(),
  ip: text('ip'),
  requestId: text('request_id'),
  at: timestamp('at', { withTimezone: true }).notNull(),
});
