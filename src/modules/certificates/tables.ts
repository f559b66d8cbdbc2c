import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { bytea } from '#platform/db/columns.ts';

/** Tables of migration 0012_certificates.sql. */

export const CERTIFICATE_STATUSES = ['CERTIFIED_NO_ANCHOR', 'REVOKED'] as const;
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
});
export type CertificateRow = typeof certificates.$inferSelect;

export const certificatePdfSigners = pgTable('certificate_pdf_signers', {
  keyId: text('key_id').primaryKey(),
  certificateDer: bytea('certificate_der').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
