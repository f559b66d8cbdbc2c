import { boolean, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { bytea } from '#platform/db/columns.ts';

import type { CertificateAnchor } from './document/certificate-anchor.ts';

/** Tables of migrations 0012_certificates.sql and 0018_anchoring.sql. */

export const CERTIFICATE_STATUSES = ['CERTIFIED_NO_ANCHOR', 'ANCHORED', 'REVOKED'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

export const certificates = pgTable('certificates', {
  id: text('id').primaryKey(),
  publicId: text('public_id').notNull().unique(),
  clientId: text('client_id').notNull(),
  evidenceId: text('evidence_id').notNull().unique(),
  documentSha256: text('document_sha256').notNull(),
  body: text('body').notNull(),
  jws: text('jws').notNull(),
  keyId: text('key_id').notNull(),
  status: text('status').$type<CertificateStatus>().notNull(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  revocationReason: text('revocation_reason'),
  pdfObjectKey: text('pdf_object_key'),
  pdfSha256: text('pdf_sha256'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  anchor: jsonb('anchor').$type<CertificateAnchor>(),
  anchoredAt: timestamp('anchored_at', { withTimezone: true }),
});
export type CertificateRow = typeof certificates.$inferSelect;

export const certificatePdfSigners = pgTable('certificate_pdf_signers', {
  keyId: text('key_id').primaryKey(),
  certificateDer: bytea('certificate_der').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const certificatePdfs = pgTable(
  'certificate_pdfs',
  {
    certificateId: text('certificate_id').notNull(),
    version: integer('version').notNull(),
    objectKey: text('object_key').notNull(),
    sha256: text('sha256').notNull(),
    status: text('status').$type<'valid' | 'revoked'>().notNull(),
    anchored: boolean('anchored').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.certificateId, table.version] })],
);
export type CertificatePdfRow = typeof certificatePdfs.$inferSelect;
