import { boolean, integer, jsonb, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { bytea } from '#platform/db/columns.ts';

/** Tables of migration 0011_evidence.sql. */

export const evidenceTrustAnchors = pgTable(
  'evidence_trust_anchors',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id'),
    role: text('role').notNull().$type<AnchorRole>(),
    kind: text('kind').notNull().$type<'certificate' | 'crl'>(),
    sha256Fingerprint: text('sha256_fingerprint').notNull(),
    der: bytea('der').notNull(),
    issuer: text('issuer').notNull(),
    subject: text('subject'),
    serialNumber: text('serial_number'),
    notBefore: timestamp('not_before', { withTimezone: true }),
    notAfter: timestamp('not_after', { withTimezone: true }),
    selfSigned: boolean('self_signed'),
    thisUpdate: timestamp('this_update', { withTimezone: true }),
    nextUpdate: timestamp('next_update', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [unique().on(table.clientId, table.role, table.sha256Fingerprint).nullsNotDistinct()],
);
export type TrustAnchorRow = typeof evidenceTrustAnchors.$inferSelect;
/** `signing`: CAs of the partner's evidence signers; `timestamping`: RFC 3161 TSAs. */
export type AnchorRole = 'signing' | 'timestamping';
/** Whose anchors of which role: a partner's, or (timestamping only) the operator's, `clientId` null. */
export type AnchorSet = { role: AnchorRole; clientId: string | null };

export const evidenceEncryptionKeys = pgTable('evidence_encryption_keys', {
  id: text('id').primaryKey(),
  certificate: bytea('certificate').notNull(),
  privateKeySealed: text('private_key_sealed').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  retiredAt: timestamp('retired_at', { withTimezone: true }),
});
export type EncryptionKeyRow = typeof evidenceEncryptionKeys.$inferSelect;

/** `awaiting_credits`: accepted while the partner was out of credits (migration 0030); queued as `received` once they cover it. */
export const EVIDENCE_STATUSES = ['awaiting_credits', 'received', 'validating', 'certified', 'rejected', 'failed'] as const;
export type EvidenceStatus = (typeof EVIDENCE_STATUSES)[number];

export const evidenceSubmissions = pgTable(
  'evidence_submissions',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id').notNull(),
    derSha256: text('der_sha256').notNull(),
    derBytes: integer('der_bytes').notNull(),
    objectKey: text('object_key').notNull(),
    contentObjectKey: text('content_object_key'),
    contentBytes: integer('content_bytes'),
    filename: text('filename'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
    status: text('status').notNull().$type<EvidenceStatus>(),
    attempts: integer('attempts').notNull(),
    jobId: text('job_id'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    errorPath: text('error_path'),
    documentSha256: text('document_sha256'),
    mediaType: text('media_type'),
    documentSchema: text('document_schema'),
    encrypted: boolean('encrypted'),
    certificateId: text('certificate_id'),
    certificatePublicId: text('certificate_public_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** The enrolled agent that sent it (migration 0015), null when the partner did. */
    agentId: text('agent_id'),
    /** Migration 0019: when the rejection in the ledger was decided (kept when a re-test certifies it). */
    rejectedAt: timestamp('rejected_at', { withTimezone: true }),
    /** Re-tests by the retry worker, and the last one's time. */
    retests: integer('retests').notNull(),
    retestedAt: timestamp('retested_at', { withTimezone: true }),
    /** When retention deleted its DER and detached content from object storage. */
    evidencePurgedAt: timestamp('evidence_purged_at', { withTimezone: true }),
  },
  (table) => [unique().on(table.clientId, table.derSha256)],
);
export type EvidenceSubmissionRow = typeof evidenceSubmissions.$inferSelect;

