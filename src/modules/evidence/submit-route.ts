import type { FastifyContextConfig, FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ApiError } from '#platform/http/errors.ts';
import { errorResponses, jsonResponse } from '#platform/http/schemas.ts';
import { decodeSubmission } from './decode-submission.ts';
import { acceptRawBodies } from './raw-bodies.ts';
import { EvidenceSchema, EvidenceSubmissionSchema, EvidenceSubmittedSchema, MAX_DER_BYTES, SUBMISSION_BODY_LIMIT_BYTES } from './schema.ts';
import { submitEvidence, type EvidenceSender, type SubmitEvidenceDeps } from './submit-evidence.ts';
import { toEvidence } from './to-evidence.ts';

export const RAW_DER_TYPES = ['application/pkcs7-mime', 'application/octet-stream'];

/** How soon an agent refused because no evidence worker has started yet should try again. */
const QUEUE_RETRY_AFTER_SECONDS = 5;

/** Whether the document came as the raw body (then a refusal names `body`, not the `der_base64` it was turned into). */
const sentRaw = (request: FastifyRequest): boolean => RAW_DER_TYPES.includes(String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase());

export type SubmitRouteOptions = {
  url: string;
  config: FastifyContextConfig;
  operationId: string;
  tags: string[];
  /** Whose submission it is: the partner, and the agent when an enrolled agent sent it. */
  sender(request: FastifyRequest): EvidenceSender;
  /** How the submitter follows it up (the end of the description). */
  description: string;
};

/**
 * One signed document submitted (POST /api/v1/proofs for partners, POST /ingest/v1/proofs for
 * enrolled agents): the raw DER or JSON, submitted by submitEvidence, answered the same way on
 * both paths. Registered in a scope of its own (the raw body parsers).
 */
export async function registerSubmitRoute(app: FastifyInstance, deps: SubmitEvidenceDeps & { publicUrl: string }, options: SubmitRouteOptions): Promise<void> {
  await app.register(async (scope) => {
    acceptRawBodies(scope, RAW_DER_TYPES, { as: 'base64', field: 'der_base64', bodyLimit: MAX_DER_BYTES });
    scope.withTypeProvider<ZodTypeProvider>().post(options.url, {
      config: options.config,
      bodyLimit: SUBMISSION_BODY_LIMIT_BYTES,
      schema: {
        operationId: options.operationId,
        tags: options.tags,
        summary: 'Submit a signed document (CMS SignedData or EnvelopedData) for certification (asynchronous)',
        description:
          'The raw DER (`application/pkcs7-mime` or `application/octet-stream`, at most 1 MiB), or JSON `{der_base64, content_base64?, filename?, metadata?}` ' +
          '(`content_base64`: the signed content of a detached signature). 202 `{id, status: received}` with `Location`; a worker verifies it: ' +
          options.description + ' Out of credits (prepaid balance used up, or the monthly spending cap reached) the submission is taken in all the same: ' +
          '202 `{id, status: awaiting_credits}` and an `evidence.awaiting_credits` webhook; it is queued, oldest first, once the credits cover it. The same DER submitted again answers 200 with ' +
          'that submission (never a second certificate). Refused before anything is stored: over 1 MiB (413), not a CMS ContentInfo (400, `reason` `MALFORMED_CMS`), ' +
          'another CMS content type (`UNSUPPORTED_CONTENT_TYPE`), metadata over 4 KiB (`METADATA_TOO_LARGE`). ' +
          'At the ingest gateway before any evidence worker has started on its database: 503 `NOT_READY` (`reason` `QUEUE_NOT_READY`, `Retry-After`), no submission is stored.',
        consumes: ['application/json', ...RAW_DER_TYPES],
        body: EvidenceSubmissionSchema,
        response: {
          202: jsonResponse('Accepted: stored and queued (or waiting for credits); `Location` names it', EvidenceSubmittedSchema),
          200: jsonResponse('This DER was submitted before: that submission', EvidenceSchema),
          ...errorResponses(400, 413, 415),
        },
      },
    }, async (request, reply) => {
      const result = await submitEvidence(deps, options.sender(request), decodeSubmission(request.body));
      if (!result.ok) {
        if (result.code === 'SENDER_REFUSED') throw new ApiError('UNAUTHORIZED', result.message);
        if (result.code === 'QUEUE_NOT_READY') throw new ApiError('NOT_READY', result.message, { reason: result.code, retry_after_seconds: QUEUE_RETRY_AFTER_SECONDS });
        if (result.code === 'TOO_LARGE') throw new ApiError('PAYLOAD_TOO_LARGE', result.message, { reason: result.code });
        const field = result.code === 'METADATA_TOO_LARGE' ? 'body.metadata' : sentRaw(request) ? 'body' : 'body.der_base64';
        throw new ApiError('VALIDATION_FAILED', `${field}: ${result.message}`, { reason: result.code, fields: [field] });
      }
      reply.header('location', `/api/v1/proofs/${result.row.id}`);
      if (result.outcome === 'duplicate') return reply.code(200).send(toEvidence(result.row, deps.publicUrl));
      return reply.code(202).send({ id: result.row.id, status: result.row.status === 'awaiting_credits' ? result.row.status : ('received' as const) });
    });
  });
}
