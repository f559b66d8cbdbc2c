import { boolean, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** Tables of migration 0005_attestation_tasks.sql. */

export const attestationTasks = pgTable('attestation_tasks', {
  id: text('id').primaryKey(),
  clientId: text('client_id').notNull(),
  jobName: text('job_name').notNull(),
  jobId: text('job_id'),
  appId: text('app_id').notNull(),
  appName: text('app_name').notNull(),
  appConfigType: text('app_config_type').notNull(),
  contractAddress: text('contract_address'),
  modelOrDomain: text('model_or_domain'),
  appMetadata: jsonb('app_metadata').$type<Record<string, unknown>>(),
  verificationFlags: jsonb('verification_flags').notNull().$type<Record<string, boolean>>(),
  evidence: jsonb('evidence').$type<Record<string, unknown>>(),
  evidenceSha256: text('evidence_sha256').notNull(),
  evidenceBytes: integer('evidence_bytes').notNull(),
  status: text('status').notNull(),
  attempts: integer('attempts').notNull(),
  errorCode: text('error_code'),
  errorMessage: text('error_message'),
  isValid: boolean('is_valid'),
  tcbStatus: text('tcb_status'),
  summary: jsonb('summary').$type<Record<string, unknown>>(),
  resultSha256: text('result_sha256'),
  resultJwt: text('result_jwt'),
  s3Filename: text('s3_filename'),
  s3Key: text('s3_key'),
  s3Bucket: text('s3_bucket'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});
export type AttestationTaskRow = typeof attestationTasks.$inferSelect;

export const attestationCollateral = pgTable(
  'attestation_collateral',
  {
    tee: text('tee').notNull(),
    fmspc: text('fmspc').notNull(),
    pckCa: text('pck_ca').notNull(),
    collateral: jsonb('collateral').notNull().$type<Record<string, unknown>>(),
    digest: text('digest').notNull(),
    validFrom: timestamp('valid_from', { withTimezone: true }).notNull(),
    validUntil: timestamp('valid_until', { withTimezone: true }).notNull(),
    source: text('source').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.tee, table.fmspc, table.pckCa] })],
);
export type AttestationCollateralRow = typeof attestationCollateral.$inferSelect;

export const attestationOsImages = pgTable('attestation_os_images', {
  osImageHash: text('os_image_hash').primaryKey(),
  label: text('label'),
  mrTd: text('mr_td').notNull(),
  rtMr0: text('rt_mr0').notNull(),
  rtMr1: text('rt_mr1').notNull(),
  rtMr2: text('rt_mr2').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});
export type AttestationOsImageRow = typeof attestationOsImages.$inferSelect;

export const queueControls = pgTable('queue_controls', {
  queue: text('queue').primaryKey(),
  paused: boolean('paused').notNull(),
  changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
  changedBy: text('changed_by'),
});
