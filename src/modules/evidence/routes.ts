import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse, textResponse } from '#platform/http/schemas.ts';
import { createJobSender } from '#platform/queue/job-sender.ts';
import type { Queue } from '#platform/queue/queue.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { adminActor } from '#modules/admin/admin-auth.ts';
import type { AuditActor } from '#modules/audit/record-audit.ts';
import { requireScope } from '#modules/clients/partner-auth.ts';
import { EVIDENCE_SCOPE } from '#modules/clients/schema.ts';
import { addTrustAnchors } from './add-trust-anchors.ts';
import { decodeJsonBatch } from './decode-submission.ts';
import type { EvidenceEncryptionKeys } from './evidence-encryption-keys.ts';
import { getEvidence } from './get-evidence.ts';
import { VerifyEvidenceJob } from './jobs.ts';
import { listEvidence } from './list-evidence.ts';
import { listTrustAnchors } from './list-trust-anchors.ts';
import { acceptRawBodies } from './raw-bodies.ts';
import { MULTIPART_LIMITS, readMultipartBatch } from './read-multipart-batch.ts';
import { removeTrustAnchor } from './remove-trust-anchor.ts';
import {
  ANCHOR_BODY_LIMIT_BYTES,
  BULK_BODY_LIMIT_BYTES,
  BulkResultSchema,
  EvidenceIdParams,
  EvidenceListQuery,
  EvidencePageSchema,
  EvidenceSchema,
  MAX_BULK_ITEMS,
  TrustAnchorIdParams,
  TrustAnchorSchema,
  TrustAnchorUploadSchema,
  type TrustAnchorUpload,
} from './schema.ts';
import { submitEvidenceBatch } from './submit-evidence-batch.ts';
import { registerSubmitRoute } from './submit-route.ts';
import type { AnchorRole, AnchorSet } from './tables.ts';
import { toEvidence } from './to-evidence.ts';
import { toTrustAnchor } from './to-trust-anchor.ts';

export type EvidenceRouteDeps = {
  pool: Pool;
  clock: Clock;
  storage: ObjectStorage;
  /** pg-boss for enqueuing verification jobs, started on first use. */
  queue: () => Promise<Queue>;
  encryptionKeys: EvidenceEncryptionKeys;
  /** PUBLIC_URL: a certified submission links its certificate's verify page under it. */
  publicUrl: string;
};

const TAGS = ['Evidence'];
const partner = { access: access.partner([EVIDENCE_SCOPE]) };

const PEM_TYPES = ['application/x-pem-file', 'text/plain'];
const ANCHOR_DER_TYPES = ['application/pkix-cert', 'application/pkix-crl', 'application/octet-stream'];

const TrustAnchorListSchema = z.object({ data: z.array(TrustAnchorSchema) }).meta({ id: 'TrustAnchorList' });
const TrustAnchorChangeSchema = z
  .object({
    added: z.array(TrustAnchorSchema),
    unchanged: z.array(TrustAnchorSchema).describe('Already trusted: left as they were'),
    removed: z.array(TrustAnchorSchema).describe('Older CRLs of an issuer whose newer CRL was added'),
  })
  .meta({ id: 'TrustAnchorChange' });

const partnerActor = (request: FastifyRequest, clientId: string): AuditActor => ({ type: 'partner', id: clientId, ip: request.ip, requestId: request.id });

const uploadBytes = (body: TrustAnchorUpload): Buffer => ('pem' in body ? Buffer.from(body.pem, 'utf8') : Buffer.from(body.der_base64, 'base64'));

/** The three anchor sets behind the API: a partner's signing and TSA anchors, the operator's TSA anchors. */
const ANCHOR_ROUTES: ReadonlyArray<{ url: string; role: AnchorRole; operator: boolean; name: string; what: string }> = [
  { url: '/api/v1/evidence/trust-anchors', role: 'signing', operator: false, name: 'TrustAnchors', what: 'CA certificates (root or intermediate) your evidence signers chain to, and CRLs' },
  { url: '/api/v1/evidence/tsa-anchors', role: 'timestamping', operator: false, name: 'TsaAnchors', what: 'CA certificates of the RFC 3161 timestamp authorities you trust, and CRLs' },
  { url: '/api/admin/evidence/tsa-anchors', role: 'timestamping', operator: true, name: 'OperatorTsaAnchors', what: 'RFC 3161 timestamp authorities trusted for every partner' },
];

/**
 * Signed evidence: trust anchors (partner and operator), the evidence encryption certificate,
 * submissions (single, raw or JSON; bulk, JSON or multipart) and their state.
 */
export async function registerEvidenceRoutes(app: FastifyInstance, deps: EvidenceRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const submitDeps = { ...deps, ensureQueue: createJobSender(deps.queue, VerifyEvidenceJob).ready };
  const partnerOf = (request: FastifyRequest) => requireScope(request, EVIDENCE_SCOPE).id;

  // ---- Trust anchors ----
  for (const route of ANCHOR_ROUTES) {
    const config = { access: route.operator ? access.admin : partner.access };
    const tags = route.operator ? ['Admin', ...TAGS] : TAGS;
    const anchorSet = (request: FastifyRequest): { set: AnchorSet; actor: AuditActor } => {
      if (route.operator) return { set: { role: route.role, clientId: null }, actor: adminActor(request) };
      const clientId = partnerOf(request);
      return { set: { role: route.role, clientId }, actor: partnerActor(request, clientId) };
    };

    // PEM text or DER bytes as they are, beside JSON; in a scope of their own.
    await app.register(async (scope) => {
      acceptRawBodies(scope, PEM_TYPES, { as: 'text', field: 'pem', bodyLimit: ANCHOR_BODY_LIMIT_BYTES });
      acceptRawBodies(scope, ANCHOR_DER_TYPES, { as: 'base64', field: 'der_base64', bodyLimit: ANCHOR_BODY_LIMIT_BYTES });
      scope.withTypeProvider<ZodTypeProvider>().put(route.url, {
        config,
        bodyLimit: ANCHOR_BODY_LIMIT_BYTES,
        schema: {
          operationId: `add${route.name}`,
          tags,
          summary: `Trust ${route.what}`,
          description:
            'A PEM bundle (`application/x-pem-file` or `text/plain`: CERTIFICATE and X509 CRL blocks), one DER certificate or CRL ' +
            '(`application/pkix-cert`, `application/pkix-crl`, `application/octet-stream`), or JSON `{pem}` / `{der_base64}`. ' +
            'Adds each to the set: a certificate already trusted stays as it is, a CRL replaces the older CRLs of its issuer; nothing else is removed ' +
            '(DELETE removes). Every certificate must be a CA (basicConstraints cA), valid now, with an RSA key of at least 2048 bits or an EC / Ed25519 key: ' +
            'one refused refuses the whole upload with 400 `INVALID_TRUST_ANCHOR`, `reason` (`NOT_A_CA`, `EXPIRED`, `WEAK_KEY`, `UNPARSABLE`, ...) and `refused` (each item and why).',
          consumes: ['application/json', ...PEM_TYPES, ...ANCHOR_DER_TYPES],
          body: TrustAnchorUploadSchema,
          response: { 200: jsonResponse('What changed', TrustAnchorChangeSchema), ...errorResponses(400, 413, 415) },
        },
      }, async (request) => {
        const { set, actor } = anchorSet(request);
        const result = await addTrustAnchors(deps, set, uploadBytes(request.body), actor);
        if (!result.ok) throw new ApiError('INVALID_TRUST_ANCHOR', result.message, { reason: result.reason, refused: result.refused });
        return { added: result.added, unchanged: result.unchanged, removed: result.removed };
      });
    });

    r.get(route.url, {
      config,
      schema: {
        operationId: `list${route.name}`,
        tags,
        summary: `The ${route.what} trusted`,
        description: route.operator || route.role === 'signing'
          ? 'Every anchor of the set, oldest first (never their DER: the SHA-256 fingerprint names each).'
          : 'Yours and the operator\'s (`scope: operator`, trusted for every partner; you cannot remove those), oldest first.',
        response: { 200: jsonResponse('The anchors', TrustAnchorListSchema) },
      },
    }, async (request) => {
      const { set } = anchorSet(request);
      return { data: (await listTrustAnchors(deps, set.role, set.clientId)).map(toTrustAnchor) };
    });

    r.delete(`${route.url}/:id`, {
      config,
      schema: {
        operationId: `remove${route.name.replace(/s$/, '')}`,
        tags,
        summary: 'Stop trusting an anchor (by id or SHA-256 fingerprint)',
        description: 'Removes one certificate or CRL of the set. Submissions verified before keep their outcome.',
        params: TrustAnchorIdParams,
        response: { 200: jsonResponse('The anchor, now removed', TrustAnchorSchema), ...errorResponses(404) },
      },
    }, async (request) => {
      const { set, actor } = anchorSet(request);
      const removed = await removeTrustAnchor(deps, set, request.params.id, actor);
      if (!removed) throw new ApiError('NOT_FOUND', `no trust anchor ${request.params.id}`);
      return toTrustAnchor(removed);
    });
  }

  r.get('/api/v1/evidence/encryption-certificate', {
    config: { access: access.publicRateLimited },
    schema: {
      operationId: 'getEvidenceEncryptionCertificate',
      tags: TAGS,
      summary: 'The certificate to encrypt evidence to (PEM)',
      description:
        'Evidence may come encrypted: CMS EnvelopedData around the SignedData, for this certificate\'s RSA key (key transport, PKCS#1 v1.5 or OAEP), ' +
        'e.g. `openssl cms -encrypt -binary -aes-256-cbc -outform DER -recip veridity-evidence.pem`. The worker decrypts it, then verifies the SignedData inside.',
      response: { 200: textResponse('The X.509 certificate, PEM', 'application/x-pem-file'), ...errorResponses(429) },
    },
  }, async (_request, reply) => {
    const key = await deps.encryptionKeys.active();
    return reply
      .header('content-type', 'application/x-pem-file')
      .header('content-disposition', 'attachment; filename="veridity-evidence.pem"')
      .header('cache-control', 'public, max-age=300')
      .send(key.certificatePem);
  });

  // ---- Submissions ----
  await registerSubmitRoute(app, { ...submitDeps, publicUrl: deps.publicUrl }, {
    url: '/api/v1/proofs',
    // Not refused over the hard cap (402): out of credits, a submission waits as `awaiting_credits` (evidence_submit(), migration 0030).
    config: { ...partner, idempotent: true },
    operationId: 'submitEvidence',
    tags: TAGS,
    sender: (request) => ({ clientId: partnerOf(request) }),
    description: 'follow it with GET /api/v1/proofs/{id} or the `certificate.issued` / `evidence.rejected` webhooks.',
  });

  await app.register(async (scope) => {
    await scope.register(multipart, MULTIPART_LIMITS);
    scope.withTypeProvider<ZodTypeProvider>().post('/api/v1/proofs/bulk', {
      config: partner,
      bodyLimit: BULK_BODY_LIMIT_BYTES,
      schema: {
        operationId: 'submitEvidenceBulk',
        tags: TAGS,
        summary: `Submit up to ${MAX_BULK_ITEMS} signed documents at once, one result per item`,
        description:
          `A JSON array of POST /api/v1/proofs bodies, or \`multipart/form-data\` with one DER file per part (at most 1 MiB each; ${BULK_BODY_LIMIT_BYTES / 1024 / 1024} MiB in all). ` +
          'Each item is submitted as POST /api/v1/proofs would: `accepted` (queued, or `status` `awaiting_credits` when you are out of credits), `duplicate` (submitted before: its `id` and `status`) or `refused` ' +
          '(`reason`: `INVALID_ITEM`, `TOO_LARGE`, `MALFORMED_CMS`, ...; nothing stored). One bad item never fails the batch; more than ' +
          `${MAX_BULK_ITEMS} items is a 400. Sending a batch again is safe: what was accepted answers \`duplicate\`.`,
        consumes: ['application/json', 'multipart/form-data'],
        // None for multipart (the parser leaves it null): the handler reads the parts.
        body: z.array(z.unknown().describe('An EvidenceSubmission, checked item by item')).min(1).max(MAX_BULK_ITEMS).nullish(),
        response: { 200: jsonResponse('One result per item, in order', BulkResultSchema), ...errorResponses(400, 413, 415) },
      },
    }, async (request) => {
      const clientId = partnerOf(request);
      const items = request.body ? decodeJsonBatch(request.body) : request.isMultipart() ? await readMultipartBatch(request) : undefined;
      if (!items) throw new ApiError('VALIDATION_FAILED', 'body: a JSON array of submissions or a multipart/form-data body is expected', { fields: ['body'] });
      return submitEvidenceBatch(submitDeps, clientId, items);
    });
  });

  r.get('/api/v1/proofs', {
    config: partner,
    schema: {
      operationId: 'listEvidence',
      tags: TAGS,
      summary: 'Your submissions, newest first (filter: status)',
      description: 'Your submissions, newest first, optionally of one `status`; pass `next_cursor` as `cursor` for the next page.',
      querystring: EvidenceListQuery,
      response: { 200: jsonResponse('A page of your submissions', EvidencePageSchema) },
    },
  }, async (request) => {
    const { status, limit, cursor } = request.query;
    const page = await listEvidence(deps, partnerOf(request), { status }, { limit, cursor });
    return { data: page.rows.map((row) => toEvidence(row, deps.publicUrl)), next_cursor: page.nextCursor };
  });

  r.get('/api/v1/proofs/:id', {
    config: partner,
    schema: {
      operationId: 'getEvidence',
      tags: TAGS,
      summary: 'A submission: status, error code, certificate',
      description: 'One of your submissions; another partner\'s answers 404. Once `certified`, `certificate` links the certificate, its PDF and JSON, and its public page.',
      params: EvidenceIdParams,
      response: { 200: jsonResponse('The submission', EvidenceSchema), ...errorResponses(404) },
    },
  }, async (request) => {
    const row = await getEvidence(deps, partnerOf(request), request.params.id);
    if (!row) throw new ApiError('NOT_FOUND', `no submission ${request.params.id}`);
    return toEvidence(row, deps.publicUrl);
  });
}
