import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '#platform/clock.ts';
import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { Db } from '#platform/db/database.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse, textResponse } from '#platform/http/schemas.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { requireScope } from '#modules/clients/partner-auth.ts';
import { EVIDENCE_SCOPE } from '#modules/clients/schema.ts';
import { type CertificatePdf, certificateReceipt, getCertificatePdf, getCertificatePdfVersion, listCertificatePdfs } from './get-certificate-pdf.ts';
import { getCertificate } from './get-certificate.ts';
import { getPublicCertificate } from './get-public-certificate.ts';
import { listCertificates } from './list-certificates.ts';
import { createPdfSigner } from './pdf-signer.ts';
import { PUBLIC_ID_PATTERN } from './public-id.ts';
import { publishCertificateKeys } from './publish-certificate-keys.ts';
import { revokeCertificate } from './revoke-certificate.ts';
import {
  CertificateBundleSchema,
  CertificateIdParams,
  CertificateKeysSchema,
  CertificateListQuery,
  CertificatePageSchema,
  CertificatePdfQuery,
  CertificateSchema,
  CertificatePendingSchema,
  PublicCertificateSchema,
  PublicIdParams,
  RevokeRequestSchema,
} from './schema.ts';
import type { CertificateJson } from './document/index.ts';
import type { CertificateRow } from './tables.ts';
import { toCertificate } from './to-certificate.ts';
import { PUBLIC_CHECKS, verifyCertificateDocument } from './verify-certificate-document.ts';
import { renderVerifyPage, VERIFY_PAGE_CSP } from './verify-page.ts';

export type CertificateRouteDeps = {
  pool: Pool;
  db: Db;
  clock: Clock;
  storage: ObjectStorage;
  platformKeys: PlatformKeys;
  /** PUBLIC_URL: the verify page's origin, in QR codes and `verify_url`. */
  publicUrl: string;
  /** How certificates and the PDF-signing certificate name the platform. */
  platformName: string;
};

const TAGS = ['Certificates'];
const partner = { access: access.partner([EVIDENCE_SCOPE]) };
const open = { access: access.publicRateLimited };
/** The PDF and JSON bundle wait for a ledger checkpoint (LEDGER_CHECKPOINT_SECONDS, 5 s by default). */
const RETRY_AFTER_SECONDS = 2;
/** A certificate PDF is tens of KiB; room for big receipts, and a bound on what an anonymous caller makes us parse. */
export const VERIFY_UPLOAD_LIMIT_BYTES = 5 * 1024 * 1024;
const MAX_JWS_CHARS = 64 * 1024;

const CheckOutcomeSchema = z.enum(['pass', 'fail', 'not_checked', 'not_applicable']);
const VerificationSchema = z
  .object({
    valid: z.boolean().describe('Every check passed (or does not apply to this kind of document)'),
    public_id: z.string().nullable(),
    status: z.enum(['valid', 'revoked', 'unknown']).nullable().describe('What this platform says of the certificate now; null when its signature did not verify'),
    checks: z.object(Object.fromEntries(PUBLIC_CHECKS.map((check) => [check, CheckOutcomeSchema])) as Record<(typeof PUBLIC_CHECKS)[number], typeof CheckOutcomeSchema>).describe(
      'platform_signature: the JWS verifies with a certificates key; ledger_inclusion: the receipt proves the certificate is in the ledger; ' +
        'not_revoked: on record here and not revoked; pdf_unmodified: the PDF signature covers the whole file and was made by a platform PDF-signing certificate (not_applicable for JSON); ' +
        'anchor: the public-chain anchor the document carries names the checkpoint its receipt is under (not_applicable without one; the chain itself is not queried here: `veridity verify-certificate --rpc-url` does)',
    ),
    failures: z.array(z.object({ check: z.enum(PUBLIC_CHECKS), code: z.string(), message: z.string() })),
    certificate: z.record(z.string(), z.unknown()).nullable().describe('The signed certificate body, once its signature verified'),
  })
  .meta({ id: 'CertificateVerification' });

const VerifyJsonBody = z.union([
  z.string().min(1).max(MAX_JWS_CHARS).describe('the compact JWS alone'),
  z.looseObject({ jws: z.string().min(1).max(MAX_JWS_CHARS), certificate: z.unknown().optional(), receipt: z.string().max(MAX_JWS_CHARS).nullable().optional() }),
]);

const partnerId = (request: FastifyRequest) => requireScope(request, EVIDENCE_SCOPE).id;

function pending(reply: FastifyReply, result: Extract<CertificatePdf, { state: 'pending' }>) {
  reply.code(202).header('retry-after', String(RETRY_AFTER_SECONDS));
  return { status: 'pending' as const, waiting_for: result.waitingFor, retry_after_seconds: RETRY_AFTER_SECONDS };
}

/** Partner certificate routes (scope `evidence`), the public keys, the public verify page, JSON and document check. */
export async function registerCertificateRoutes(app: FastifyInstance, deps: CertificateRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const pdfSigner = createPdfSigner({ db: deps.db, platformKeys: deps.platformKeys, clock: deps.clock, platformName: deps.platformName });
  const pdfDeps = { ...deps, pdfSigner };
  const withPdfs = async (row: CertificateRow) => toCertificate(row, deps.publicUrl, (await listCertificatePdfs(deps, [row.id])).get(row.id)!);
  const sendPdf = (reply: FastifyReply, publicId: string, pdf: Buffer, version: number | undefined, cacheControl: string) =>
    reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="certificate-${publicId}${version === undefined ? '' : `-v${version}`}.pdf"`)
      .header('cache-control', cacheControl)
      .send(pdf as never); // bytes, sent as they are (a Buffer skips the serializer)
  const ownCertificate = async (request: FastifyRequest<{ Params: { id: string } }>): Promise<CertificateRow> => {
    const row = await getCertificate(deps, partnerId(request), request.params.id);
    if (!row) throw new ApiError('NOT_FOUND', `no certificate ${request.params.id}`);
    return row;
  };

  // ---- Partner (scope evidence) ----
  r.get('/api/v1/certificates', {
    config: partner,
    schema: {
      operationId: 'listCertificates',
      tags: TAGS,
      summary: 'Your certificates, newest first',
      description: 'Your certificates, newest first, optionally by `status`; pass `next_cursor` as `cursor` for the next page.',
      querystring: CertificateListQuery,
      response: { 200: jsonResponse('A page of your certificates', CertificatePageSchema), ...errorResponses(400, 401, 403, 429) },
    },
  }, async (request) => {
    const { status, limit, cursor } = request.query;
    return listCertificates(deps, partnerId(request), { status }, { limit, cursor });
  });

  r.get('/api/v1/certificates/:id', {
    config: partner,
    schema: {
      operationId: 'getCertificate',
      tags: TAGS,
      summary: 'A certificate: status, the signed body and JWS, and where its PDF, JSON, receipt and verify page are',
      description: "One of your certificates; another partner's answers 404. `jws` verifies with a key from GET /api/v1/certificates/keys.",
      params: CertificateIdParams,
      response: { 200: jsonResponse('The certificate', CertificateSchema), ...errorResponses(400, 401, 403, 404, 429) },
    },
  }, async (request) => withPdfs(await ownCertificate(request)));

  r.get('/api/v1/certificates/:id/certificate.pdf', {
    config: partner,
    schema: {
      operationId: 'getCertificatePdf',
      tags: TAGS,
      summary: 'The signed certificate PDF (QR code to the verify page; JSON certificate and ledger receipt attached)',
      description:
        'A PDF signed by the platform (PAdES, ECDSA P-256; the certificate is in GET /api/v1/certificates/keys) with the certificate, a QR code to the public ' +
        'verify page, and the signed JSON and its ledger receipt as attachments. 202 with `Retry-After` until a ledger checkpoint covers the certificate (a few ' +
        'seconds after issue). After anchoring the PDF is rendered again with the anchor, after a revocation it says revoked; every earlier PDF is kept: ' +
        '`?version=N` (see `pdfs` of the certificate) serves it as it was.',
      params: CertificateIdParams,
      querystring: CertificatePdfQuery,
      response: { 200: textResponse('The PDF', 'application/pdf'), 202: jsonResponse('Not ready yet: retry after `Retry-After` seconds', CertificatePendingSchema), ...errorResponses(400, 401, 403, 404, 429) },
    },
  }, async (request, reply) => {
    const row = await ownCertificate(request);
    const { version } = request.query;
    if (version !== undefined) {
      const kept = await getCertificatePdfVersion(deps, row.id, version);
      if (!kept) throw new ApiError('NOT_FOUND', `certificate ${row.id} has no PDF version ${version}`);
      return sendPdf(reply, row.publicId, kept, version, 'private, max-age=3600, immutable');
    }
    const pdf = await getCertificatePdf(pdfDeps, row);
    if (pdf.state === 'pending') return pending(reply, pdf);
    return sendPdf(reply, row.publicId, pdf.pdf, undefined, 'private, no-cache');
  });

  r.get('/api/v1/certificates/:id/certificate.json', {
    config: partner,
    schema: {
      operationId: 'getCertificateBundle',
      tags: TAGS,
      summary: 'The certificate as JSON for offline checks: {certificate, jws, receipt}',
      description: 'The signed certificate with its ledger receipt, what `veridity verify-certificate` checks offline. 202 with `Retry-After` until a ledger checkpoint covers the certificate.',
      params: CertificateIdParams,
      response: { 200: jsonResponse('The certificate bundle', CertificateBundleSchema), 202: jsonResponse('Not ready yet: retry after `Retry-After` seconds', CertificatePendingSchema), ...errorResponses(400, 401, 403, 404, 429) },
    },
  }, async (request, reply) => {
    const row = await ownCertificate(request);
    const receipt = await certificateReceipt(deps, row);
    if (receipt.state === 'pending') return pending(reply, receipt);
    reply.header('content-disposition', `attachment; filename="certificate-${row.publicId}.json"`);
    return { certificate: JSON.parse(row.body) as CertificateJson, jws: row.jws, receipt: receipt.receipt, anchor: row.anchor };
  });

  r.post('/api/v1/certificates/:id/revoke', {
    config: { ...partner, idempotent: true },
    schema: {
      operationId: 'revokeCertificate',
      tags: TAGS,
      summary: 'Revoke a certificate (once; the ledger records it)',
      description:
        'Marks the certificate revoked, logs a `certificate_revocation` ledger entry and sends `certificate.revoked`. The verify page and public checks say revoked ' +
        'from then on (with the time, not the reason). Revoking again changes nothing and answers the certificate as it is.',
      params: CertificateIdParams,
      body: RevokeRequestSchema,
      response: { 200: jsonResponse('The certificate, now revoked', CertificateSchema), ...errorResponses(400, 401, 403, 404, 429) },
    },
  }, async (request) => {
    const id = request.params.id;
    const revoked = await revokeCertificate(deps, partnerId(request), id, request.body.reason);
    if (!revoked.ok) throw new ApiError('NOT_FOUND', `no certificate ${id}`);
    return withPdfs(await ownCertificate(request));
  });

  // ---- Public (rate limited per IP) ----
  r.get('/api/v1/certificates/keys', {
    config: open,
    schema: {
      operationId: 'getCertificateKeys',
      tags: TAGS,
      summary: 'Keys that verify certificates: the JWS keys (JWK Set) and the PDF-signing certificates',
      description: '`keys`: the Ed25519 keys (JWK, `kid` = RFC 7638 thumbprint) that verify certificate JWSs; `pdf_signing_certificates`: the X.509 certificates that sign certificate PDFs. Active and retired ones.',
      response: { 200: jsonResponse('The keys', CertificateKeysSchema), ...errorResponses(429) },
    },
  }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return publishCertificateKeys({ platformKeys: deps.platformKeys, pdfSigner });
  });

  r.get('/api/v1/public/certificates/:public_id', {
    config: open,
    schema: {
      operationId: 'getPublicCertificate',
      tags: TAGS,
      summary: 'A certificate by its public id: status, the signed body and JWS, its ledger position',
      description: 'What the verify page shows, as JSON; no internal id. `status` is `valid` or `revoked`; an unknown public id answers 404.',
      params: PublicIdParams,
      response: { 200: jsonResponse('The certificate', PublicCertificateSchema), ...errorResponses(400, 404, 429) },
    },
  }, async (request, reply) => {
    const view = await getPublicCertificate(deps, request.params.public_id);
    if (!view) throw new ApiError('NOT_FOUND', `no certificate ${request.params.public_id}`);
    reply.header('cache-control', 'no-cache');
    return view.certificate;
  });

  r.get('/api/v1/public/certificates/:public_id/receipt', {
    config: open,
    schema: {
      operationId: 'getPublicCertificateReceipt',
      tags: TAGS,
      summary: "A certificate's ledger receipt (C2SP tlog-proof@v1, text)",
      description: 'The receipt of the certificate\'s ledger entry, checkable offline with GET /api/v1/ledger/key. 202 with `Retry-After` until a checkpoint covers it.',
      params: PublicIdParams,
      response: { 200: textResponse('The receipt (C2SP tlog-proof@v1)'), 202: jsonResponse('Not ready yet: retry after `Retry-After` seconds', CertificatePendingSchema), ...errorResponses(400, 404, 429) },
    },
  }, async (request, reply) => {
    const view = await getPublicCertificate(deps, request.params.public_id);
    if (!view) throw new ApiError('NOT_FOUND', `no certificate ${request.params.public_id}`);
    if (view.receipt.state === 'pending') return pending(reply, view.receipt);
    return reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'public, max-age=60').send(view.receipt.receipt);
  });

  r.get('/api/v1/public/certificates/:public_id/certificate.pdf', {
    config: open,
    schema: {
      operationId: 'getPublicCertificatePdf',
      tags: TAGS,
      summary: 'A PDF already rendered for a certificate (by public id): the newest, or a kept version',
      description:
        'The PDFs listed in `pdfs` of the public certificate (e.g. the one issued before anchoring and the anchored one), as they were rendered. Nothing is rendered ' +
        'here: a certificate whose PDF nobody has downloaded yet answers 404.',
      params: PublicIdParams,
      querystring: CertificatePdfQuery,
      response: { 200: textResponse('The PDF', 'application/pdf'), ...errorResponses(400, 404, 429) },
    },
  }, async (request, reply) => {
    const view = await getPublicCertificate(deps, request.params.public_id);
    const version = request.query.version ?? view?.certificate.pdfs.at(-1)?.version;
    const pdf = view && version !== undefined ? await getCertificatePdfVersion(deps, view.certificateId, version) : undefined;
    if (!view || version === undefined || !pdf) throw new ApiError('NOT_FOUND', `no PDF of certificate ${request.params.public_id}${request.query.version === undefined ? '' : ` version ${request.query.version}`}`);
    return sendPdf(reply, view.certificate.public_id, pdf, version, 'public, max-age=3600');
  });

  // The page the QR code opens: HTML, no script, its own strict CSP. A malformed or unknown id is the "unknown" page (404), not a JSON error.
  app.get('/verify/:public_id', {
    schema: { hide: true },
    config: open,
    helmet: { contentSecurityPolicy: VERIFY_PAGE_CSP },
  }, async (request: FastifyRequest<{ Params: { public_id: string } }>, reply) => {
    const publicId = request.params.public_id;
    const view = PUBLIC_ID_PATTERN.test(publicId) ? await getPublicCertificate(deps, publicId) : undefined;
    return reply
      .code(view ? 200 : 404)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(renderVerifyPage(view));
  });

  // PDF uploads (application/pdf, up to 5 MiB) on this route only, in a scope of its own; JSON as everywhere.
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/pdf', { parseAs: 'buffer', bodyLimit: VERIFY_UPLOAD_LIMIT_BYTES }, (_request, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post('/api/v1/public/certificates/verify', {
      config: open,
      bodyLimit: VERIFY_UPLOAD_LIMIT_BYTES,
      schema: {
        operationId: 'verifyCertificateDocument',
        tags: TAGS,
        summary: 'Check a certificate PDF or JSON: which checks pass (platform signature, ledger inclusion, not revoked, PDF unmodified)',
        description:
          'Send the PDF as `application/pdf` (up to 5 MiB), or JSON: the `{certificate, jws, receipt}` bundle of GET .../certificate.json, or the compact JWS as a ' +
          'JSON string. Answers 200 with every check and the failures (a document that fails is a result, not an error). A document without a receipt is checked ' +
          "against this platform's own receipt.",
        consumes: ['application/pdf', 'application/json'],
        response: { 200: jsonResponse('What passed and what failed', VerificationSchema), ...errorResponses(400, 413, 415, 429) },
      },
    }, async (request) => {
      if (Buffer.isBuffer(request.body)) return verifyCertificateDocument(pdfDeps, { kind: 'pdf', bytes: request.body });
      const body = VerifyJsonBody.safeParse(request.body);
      if (!body.success) throw new ApiError('VALIDATION_FAILED', 'body: send the certificate PDF, the {certificate, jws, receipt} JSON or the JWS as a JSON string', { fields: ['body.jws'] });
      return verifyCertificateDocument(pdfDeps, { kind: 'json', text: typeof body.data === 'string' ? body.data : JSON.stringify(body.data) });
    });
  });
}
