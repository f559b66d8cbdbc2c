import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, IdParam, jsonResponse, textResponse } from '#platform/http/schemas.ts';
import { getLatestCheckpoint } from './get-latest-checkpoint.ts';
import { getLedgerEntry } from './get-ledger-entry.ts';
import { getLedgerVerifierKey } from './get-ledger-verifier-key.ts';
import { getReceipt } from './get-receipt.ts';
import { sourceOfId, type OutcomeSources } from './outcome-sources.ts';
import { proveConsistency } from './prove-consistency.ts';
import { type OutOfRange, proveInclusion } from './prove-inclusion.ts';

export type LedgerRouteDeps = {
  pool: Pool;
  platformKeys: PlatformKeys;
  /** Which outcomes have receipts and who owns each, registered by the app. */
  outcomeSources: OutcomeSources;
};

/** Public, so counted per client IP. */
const open = { access: access.publicRateLimited };
const TEXT = 'text/plain; charset=utf-8';
/** Until the entry is sequenced and checkpointed (LEDGER_CHECKPOINT_SECONDS, 5 s by default). */
const RECEIPT_RETRY_AFTER_SECONDS = 1;
const IMMUTABLE = 'public, max-age=31536000, immutable';

const Size = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const Hashes = z.array(z.string().describe('base64 SHA-256 hash'));

const ReceiptPendingSchema = z
  .object({
    status: z.literal('pending'),
    id: z.string().describe('the proof, task or certificate id'),
    waiting_for: z.enum(['sequencing', 'checkpoint']).describe('the entry is queued for the log, or sequenced and waiting for the next checkpoint'),
    retry_after_seconds: z.number().int(),
  })
  .meta({ id: 'ReceiptPending' });

const InclusionProofSchema = z
  .object({ index: z.number().int(), tree_size: z.number().int(), inclusion_path: Hashes.describe("RFC 9162 audit path, the leaf's sibling first") })
  .meta({ id: 'InclusionProof' });

const ConsistencyProofSchema = z
  .object({ from: z.number().int(), to: z.number().int(), consistency_path: Hashes.describe('RFC 9162 consistency proof') })
  .meta({ id: 'ConsistencyProof' });

const LedgerEntrySchema = z
  .object({
    index: z.number().int(),
    leaf: z.string().describe('base64 of the leaf bytes: RFC 8785 canonical JSON of the entry'),
    leaf_hash: z.string().describe('base64 SHA-256(0x00 || leaf)'),
    entry: z.object({
      kind: z.string(),
      public_id: z.string(),
      claim_type: z.string().nullable(),
      status: z.string(),
      public_hash: z.string(),
      ts: z.string(),
    }),
    sequenced_at: z.string(),
  })
  .meta({ id: 'LedgerEntry' });

function outOfRange(result: OutOfRange): ApiError {
  return new ApiError('VALIDATION_FAILED', `querystring.${result.field}: ${result.message}`, { fields: [`querystring.${result.field}`] });
}

function sendText(reply: FastifyReply, text: string, cacheControl: string): FastifyReply {
  return reply.header('content-type', TEXT).header('cache-control', cacheControl).send(text);
}

export function registerLedgerRoutes(app: FastifyInstance, deps: LedgerRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/receipts/:id', {
    config: { access: access.partner() },
    schema: {
      operationId: 'getReceipt',
      tags: ['Ledger'],
      summary: "An outcome's receipt (a proof `prf_...`, an attestation task `tsk_...`, a certificate `crt_...` or a rejected evidence submission `evd_...`): C2SP tlog-proof@v1 (text), checkable offline",
      description:
        '200 `text/plain`: `c2sp.org/tlog-proof@v1`, `extra <base64 leaf>`, `index <n>`, the inclusion path (base64 hashes), ' +
        'a blank line and the signed checkpoint. 202 with `Retry-After` until the outcome is sequenced and covered by a ' +
        'checkpoint (a few seconds). Check it with `veridity verify-receipt <file> --key "$(curl .../api/v1/ledger/key)"`.',
      params: z.strictObject({ id: IdParam('prf', 'tsk', 'crt', 'evd') }),
      response: { 200: textResponse('The receipt (C2SP tlog-proof@v1), as an attachment'), 202: jsonResponse('Not ready yet: retry after `Retry-After` seconds', ReceiptPendingSchema), ...errorResponses(401, 404, 429) },
    },
  }, async (request, reply) => {
    const id = request.params.id;
    const source = sourceOfId(deps.outcomeSources, id);
    // Only the partner the outcome belongs to may fetch its receipt; others get the same 404 as for nothing.
    const entryId = await source?.receipts.entryIdFor(deps.pool, request.client!.id, id);
    if (!source || entryId === undefined) throw new ApiError('NOT_FOUND', `no proof, task or certificate ${id}`);
    const receipt = await getReceipt(deps, { kind: source.kind, publicId: entryId });
    if (receipt.state === 'not_logged') throw new ApiError('NOT_FOUND', `${id} was decided before the ledger existed (or not appraised): it has no receipt`);
    if (receipt.state === 'pending') {
      reply.code(202).header('retry-after', String(RECEIPT_RETRY_AFTER_SECONDS));
      return { status: 'pending' as const, id, waiting_for: receipt.waitingFor, retry_after_seconds: RECEIPT_RETRY_AFTER_SECONDS };
    }
    reply.header('content-disposition', `attachment; filename="${id}.receipt"`);
    return sendText(reply, receipt.receipt, 'private, no-cache');
  });

  r.get('/api/v1/ledger/key', {
    config: open,
    schema: {
      operationId: 'getLedgerKey',
      tags: ['Ledger'],
      summary: "The ledger's note verifier key (text): pin it to check checkpoints and receipts offline",
      description: 'C2SP signed-note Ed25519 verifier key `<origin>+<key id>+<base64 key>`, one line.',
      response: { 200: textResponse('The verifier key, one line'), ...errorResponses(429) },
    },
  }, async (_request, reply) => sendText(reply, `${await getLedgerVerifierKey(deps)}\n`, 'public, max-age=300'));

  r.get('/api/v1/ledger/checkpoint', {
    config: open,
    schema: {
      operationId: 'getLedgerCheckpoint',
      tags: ['Ledger'],
      summary: 'The newest signed checkpoint (C2SP tlog-checkpoint signed note, text)',
      description: 'The latest tree size and root hash, signed with the ledger key (C2SP tlog-checkpoint). 404 until the first checkpoint is signed.',
      response: { 200: textResponse('The newest checkpoint (signed note)'), ...errorResponses(404, 429) },
    },
  }, async (_request, reply) => {
    const checkpoint = await getLatestCheckpoint(deps);
    if (!checkpoint) throw new ApiError('NOT_FOUND', 'the ledger has not signed a checkpoint yet');
    return sendText(reply, checkpoint.note, 'no-cache');
  });

  r.get('/api/v1/ledger/proof/inclusion', {
    config: open,
    schema: {
      operationId: 'getInclusionProof',
      tags: ['Ledger'],
      summary: 'Inclusion proof of the entry at `index` in the tree of size `size`',
      description: 'RFC 9162 inclusion proof of the entry at `index` in the tree of size `size` (any size up to the current tree).',
      querystring: z.strictObject({ index: Size, size: Size }),
      response: { 200: jsonResponse('The audit path', InclusionProofSchema), ...errorResponses(400, 429) },
    },
  }, async (request, reply) => {
    const result = await proveInclusion(deps, request.query.index, request.query.size);
    if (!result.ok) throw outOfRange(result);
    reply.header('cache-control', IMMUTABLE);
    return { index: result.index, tree_size: result.treeSize, inclusion_path: result.proof.map((hash) => hash.toString('base64')) };
  });

  r.get('/api/v1/ledger/proof/consistency', {
    config: open,
    schema: {
      operationId: 'getConsistencyProof',
      tags: ['Ledger'],
      summary: 'Consistency proof that the tree of size `from` is a prefix of the tree of size `to`',
      description: 'RFC 9162 consistency proof between two tree sizes: check that the log only grew.',
      querystring: z.strictObject({ from: Size, to: Size }),
      response: { 200: jsonResponse('The consistency path', ConsistencyProofSchema), ...errorResponses(400, 429) },
    },
  }, async (request, reply) => {
    const result = await proveConsistency(deps, request.query.from, request.query.to);
    if (!result.ok) throw outOfRange(result);
    reply.header('cache-control', IMMUTABLE);
    return { from: result.from, to: result.to, consistency_path: result.proof.map((hash) => hash.toString('base64')) };
  });

  r.get('/api/v1/ledger/entries/:index', {
    config: open,
    schema: {
      operationId: 'getLedgerEntry',
      tags: ['Ledger'],
      summary: 'The entry at a position of the log: its leaf bytes, leaf hash and decoded fields',
      description: 'The leaf bytes at `index` (base64), their hash and the decoded outcome: kind, public id, claim type, status, hash of the public inputs, time.',
      params: z.strictObject({ index: Size }),
      response: { 200: jsonResponse('The entry', LedgerEntrySchema), ...errorResponses(400, 404, 429) },
    },
  }, async (request, reply) => {
    const entry = await getLedgerEntry(deps, request.params.index);
    if (!entry) throw new ApiError('NOT_FOUND', `no ledger entry at index ${request.params.index}`);
    reply.header('cache-control', IMMUTABLE);
    return {
      index: entry.index,
      leaf: entry.leaf.toString('base64'),
      leaf_hash: entry.leafHash.toString('base64'),
      entry: JSON.parse(entry.leaf.toString('utf8')) as z.infer<typeof LedgerEntrySchema>['entry'],
      sequenced_at: entry.sequencedAt.toISOString(),
    };
  });
}
