import { createHash } from 'node:crypto';
import { canonicalJsonBytes } from '#platform/canonical-json.ts';
import type { Clock } from '#platform/clock.ts';
import { databaseErrorFields } from '#platform/db/database-unavailable.ts';
import type { Pool } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { SUBMISSION_COLUMNS } from './get-evidence.ts';
import { readContentInfoHeader } from './read-content-info-header.ts';
import { MAX_CONTENT_BYTES, MAX_DER_BYTES, MAX_METADATA_BYTES, type RefusalReason } from './schema.ts';
import type { EvidenceSubmissionRow } from './tables.ts';

/** One document to submit, decoded. */
export type EvidenceItem = {
  der: Buffer;
  /** The signed content, for a detached signature. */
  content?: Buffer | undefined;
  filename?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
};

export type SubmitEvidenceDeps = {
  pool: Pool;
  clock: Clock;
  storage: ObjectStorage;
  /**
   * Makes sure the `evidence.verify` queue exists before a job is put on it (serve registers it
   * on first use; the ingest gateway cannot, and relies on the evidence worker having done so).
   */
  ensureQueue(): Promise<void>;
};

/** A partner's submission: never refused for who sent it (its key was checked by the request). */
export type PartnerSubmitResult =
  /**
   * `accepted`: stored and queued now (a new submission, or a failed one submitted again), or, the
   * partner out of credits, stored as `awaiting_credits`; `duplicate`: this partner submitted this DER before.
   */
  | { ok: true; outcome: 'accepted' | 'duplicate'; row: EvidenceSubmissionRow }
  | { ok: false; code: Exclude<RefusalReason, 'INVALID_ITEM'>; message: string };

export type SubmitEvidenceResult =
  | PartnerSubmitResult
  /** An agent's credential was revoked (or its partner disabled) between its check and the submission. */
  | { ok: false; code: 'SENDER_REFUSED'; message: string }
  /**
   * The `evidence.verify` queue does not exist yet: no evidence worker has started on this
   * database. Only the ingest gateway meets it (serve registers the queue before submitting).
   */
  | { ok: false; code: 'QUEUE_NOT_READY'; message: string };

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Content-addressed within the partner: the same bytes always land on the same key. */
const objectKey = (clientId: string, kind: 'der' | 'content', hash: string) => `evidence/${clientId}/${kind}/${hash}`;

/** What is refused before anything is stored: sizes, the outer CMS frame, the metadata bound. */
function refusalOf(item: EvidenceItem): { code: Exclude<RefusalReason, 'INVALID_ITEM'>; message: string } | undefined {
  if (item.der.length > MAX_DER_BYTES) return { code: 'TOO_LARGE', message: `the document is ${item.der.length} bytes, over the limit of ${MAX_DER_BYTES}` };
  if (item.content && item.content.length > MAX_CONTENT_BYTES) {
    return { code: 'TOO_LARGE', message: `the detached content is ${item.content.length} bytes, over the limit of ${MAX_CONTENT_BYTES}` };
  }
  const header = readContentInfoHeader(item.der);
  if (!header.ok) return { code: header.code, message: header.message };
  if (item.metadata !== undefined) {
    let size: number;
    try {
      size = canonicalJsonBytes(item.metadata).length;
    } catch (error) {
      return { code: 'METADATA_TOO_LARGE', message: `metadata is not canonical JSON: ${(error as Error).message}` };
    }
    if (size > MAX_METADATA_BYTES) return { code: 'METADATA_TOO_LARGE', message: `metadata is ${size} bytes of canonical JSON, over the limit of ${MAX_METADATA_BYTES}` };
  }
  return undefined;
}

/**
 * Whether evidence_submit() failed because the `evidence.verify` queue is not there yet: its own
 * SQLSTATE VQ001 (pg-boss installed, the queue not registered), or pg-boss's tables missing
 * altogether (42P01 naming a `pgboss.` relation: no worker has ever started on this database).
 */
function isQueueMissing(error: unknown): boolean {
  const { error_code: code, error: message } = databaseErrorFields(error);
  return code === 'VQ001' || (code === '42P01' && message.includes('"pgboss.'));
}

/** Who submits: a partner (its API key or token), or an enrolled agent by the SHA-256 of its credential. */
export type EvidenceSender = { clientId: string; agent?: { id: string; credentialHash: Buffer } };

/**
 * The row and its `evidence.verify` job in one statement (migrations 0016, 0030: or the row
 * `awaiting_credits` and its webhook, when the partner is out of credits): a partner's through
 * evidence_submit(), an agent's through evidence_submit_as_agent(), which finds the partner and
 * the agent from the credential itself (all the ingest gateway's role may call). No row: the
 * agent's credential stopped authenticating since the request's own check.
 */
function submitStatement(sender: EvidenceSender): { text: string; first: unknown[] } {
  const rest = '$3::text, $4::int, $5::text, $6::text, $7::int, $8::text, $9::jsonb, $10::timestamptz, $11::text';
  const call = sender.agent
    ? { fn: `evidence_submit_as_agent($1::bytea, $2::text, ${rest})`, first: [sender.agent.credentialHash] }
    : { fn: `evidence_submit($2::text, $1::text, NULL, ${rest})`, first: [sender.clientId] };
  return { text: `SELECT outcome, ${SUBMISSION_COLUMNS} FROM (SELECT f.outcome, (f.submission).* FROM ${call.fn} f) r`, first: call.first };
}

/**
 * POST /api/v1/proofs after auth and scope (and POST /ingest/v1/proofs). The same DER (by
 * SHA-256) from the same partner is the same submission: it answers the existing one and never
 * makes a second (a failed one is queued again). The bytes go to object storage first (content
 * addressed, so storing them again is harmless), then the row and its queue job commit in one
 * statement: a row never points at bytes that are not stored, and a job never names a row that
 * does not exist. Nothing about the evidence beyond its outer frame is judged here; the worker
 * decides.
 */
export function submitEvidence(deps: SubmitEvidenceDeps, sender: { clientId: string; agent?: undefined }, item: EvidenceItem): Promise<PartnerSubmitResult>;
export function submitEvidence(deps: SubmitEvidenceDeps, sender: EvidenceSender, item: EvidenceItem): Promise<SubmitEvidenceResult>;
export async function submitEvidence(deps: SubmitEvidenceDeps, sender: EvidenceSender, item: EvidenceItem): Promise<SubmitEvidenceResult> {
  const refusal = refusalOf(item);
  if (refusal) return { ok: false, ...refusal };
  const derSha256 = sha256(item.der);
  const derKey = objectKey(sender.clientId, 'der', derSha256);
  await deps.storage.put(derKey, item.der, 'application/pkcs7-mime');
  const contentKey = item.content ? objectKey(sender.clientId, 'content', sha256(item.content)) : null;
  if (item.content) await deps.storage.put(contentKey!, item.content, 'application/octet-stream');

  await deps.ensureQueue();
  const now = deps.clock.now();
  const metadata = item.metadata === undefined ? null : JSON.stringify(item.metadata);
  const statement = submitStatement(sender);
  let written: (EvidenceSubmissionRow & { outcome: 'accepted' | 'duplicate' }) | undefined;
  try {
    const { rows } = await deps.pool.query<EvidenceSubmissionRow & { outcome: 'accepted' | 'duplicate' }>(statement.text, [
      ...statement.first,
      newId('evd', now.getTime()),
      derSha256,
      item.der.length,
      derKey,
      contentKey,
      item.content?.length ?? null,
      item.filename ?? null,
      metadata,
      now,
      newId('whk', now.getTime()),
    ]);
    written = rows[0];
  } catch (error) {
    if (isQueueMissing(error)) return { ok: false, code: 'QUEUE_NOT_READY', message: 'the evidence worker has not started yet; retry' };
    throw error;
  }
  if (!written) return { ok: false, code: 'SENDER_REFUSED', message: 'the agent credential no longer authenticates' };
  const { outcome, ...row } = written;
  return { ok: true, outcome, row };
}
