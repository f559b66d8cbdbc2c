import { boolean, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { bytea } from '#platform/db/columns.ts';

export const issuers = pgTable('issuers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  publicKeyAx: text('public_key_ax').notNull(),
  publicKeyAy: text('public_key_ay').notNull(),
  claimTypes: text('claim_types').array().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
});

export const circuitVersions = pgTable('circuit_versions', {
  id: text('id').primaryKey(),
  claimType: text('claim_type').notNull(),
  semver: text('semver').notNull(),
  vkeyS3: text('vkey_s3').notNull(),
  wasmS3: text('wasm_s3').notNull(),
  zkeyS3: text('zkey_s3').notNull(),
  vkeySha256: text('vkey_sha256'),
  wasmSha256: text('wasm_sha256'),
  zkeySha256: text('zkey_sha256'),
  publicSignalCount: integer('public_signal_count'),
  enabled: boolean('enabled').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

export const proofRequests = pgTable('proof_requests', {
  id: text('id').primaryKey(),
  clientId: text('client_id').notNull(),
  claimType: text('claim_type').notNull(),
  nonce: text('nonce').notNull(),
  verifierDomain: text('verifier_domain').notNull(),
  params: jsonb('params').$type<Record<string, number>>().notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
});

export const proofs = pgTable('proofs', {
  id: text('id').notNull(),
  clientId: text('client_id'),
  claimType: text('claim_type').notNull(),
  circuitVersion: text('circuit_version').notNull(),
  status: text('status').$type<'pending' | 'verified' | 'failed'>().notNull(),
  failureCode: text('failure_code'),
  publicHash: bytea('public_hash').notNull(),
  requestNonce: text('request_nonce'),
  proofRequestId: text('proof_request_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  verifiedAt: timestamp('verified_at', { withTimezone: true }),
});

export const usedNonces = pgTable('used_nonces', {
  clientId: text('client_id').notNull(),
  nonce: text('nonce').notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }).notNull(),
  proofId: text('proof_id'),
});
