import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '#platform/clock.ts';
import type { Db } from '#platform/db/database.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError, errorBody, type ErrorCode } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponse, errorResponses, IdParam, jsonResponse } from '#platform/http/schemas.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { adminActor } from '#modules/admin/admin-auth.ts';
import { requireScope } from '#modules/clients/partner-auth.ts';
import { receiptUrl } from '#modules/ledger/receipt-url.ts';
import type { CircuitKeyring } from './circuits/circuit-keyring.ts';
import { findCircuit, listCircuitRows } from './circuits/find-circuits.ts';
import { registerCircuit } from './circuits/register-circuit.ts';
import {
  ARTIFACT_FILES,
  CircuitVersionCreateSchema,
  CircuitVersionSchema,
  PublicCircuitSchema,
  toCircuitVersion,
  toPublicCircuit,
  type ArtifactKind,
  type CircuitRow,
} from './circuits/schema.ts';
import { setCircuitEnabled } from './circuits/set-circuit-enabled.ts';
import { CLAIM_TYPES } from './credentials/claim-types.ts';
import type { Groth16VerifierPool } from './groth16/verifier-pool.ts';
import { disableIssuer } from './issuers/disable-issuer.ts';
import { listIssuers } from './issuers/list-issuers.ts';
import { registerIssuer } from './issuers/register-issuer.ts';
import { IssuerCreateSchema, IssuerSchema } from './issuers/schema.ts';
import { createProofRequest } from './requests/create-proof-request.ts';
import { getProofStatus } from './verify/get-proof-status.ts';
import {
  ProofRequestCreateSchema,
  ProofRequestSchema,
  ProofStatusSchema,
  ProofVerifyRequestSchema,
  ProofVerifyResponseSchema,
} from './verify/schema.ts';
import { createChangeFedCache } from '#platform/db/change-fed-cache.ts';
import type { ChangeFeed } from '#platform/db/change-feed.ts';
import { createNonceStateReader } from './verify/read-nonce-states.ts';
import { createVerificationRecorder } from './verify/record-verifications.ts';
import { createSuspectPartners } from './verify/suspect-partners.ts';
import type { VerifyOutcome } from './verify/verify-outcome.ts';
import { verifyProof } from './verify/verify-proof.ts';

export type ZkRouteDeps = {
  db: Db;
  pool: Pool;
  clock: Clock;
  storage: ObjectStorage;
  verifier: Groth16VerifierPool;
  keyring: CircuitKeyring;
  /** Row changes from the database: with it the verify path looks circuits up in memory. */
  changeFeed?: ChangeFeed | undefined;
};

const ARTIFACT_UPLOAD_LIMIT_BYTES = 128 * 1024 * 1024;
const admin = { access: access.admin };
/** A key needs one claim-type scope to get this far; the handler then asks for the body's claim type. */
const partner = { access: access.partner(CLAIM_TYPES) };
const billable = { access: access.billablePartner(CLAIM_TYPES) };

const ArtifactFileSchema = z.enum(Object.values(ARTIFACT_FILES) as [string, ...string[]]);
const KIND_BY_FILE = Object.fromEntries(Object.entries(ARTIFACT_FILES).map(([kind, file]) => [file, kind])) as Record<string, ArtifactKind>;

/** What the verify outcome answers: status and body. */
function renderOutcome(outcome: VerifyOutcome, requestId: string): { status: 200 | 409 | 422; body: unknown } {
  switch (outcome.kind) {
    case 'verified':
      return { status: 200, body: { status: 'verified', proof_id: outcome.proofId, ts: outcome.ts, receipt_url: receiptUrl(outcome.proofId) } };
    case 'failed':
      return { status: 422, body: errorBody(outcome.code, outcome.message, requestId, { proof_id: outcome.proofId, status: 'failed', ts: outcome.ts, receipt_url: receiptUrl(outcome.proofId) }) };
    case 'rejected':
      return {
        status: outcome.code === 'NONCE_REPLAY' ? 409 : 422,
        body: errorBody(outcome.code as ErrorCode, outcome.message, requestId, outcome.detail ? { detail: outcome.detail } : undefined),
      };
  }
}

export async function registerZkRoutes(app: FastifyInstance, deps: ZkRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const circuitCache = deps.changeFeed ? createChangeFedCache<CircuitRow | undefined>(deps.changeFeed, 'circuit_versions') : undefined;
  const issuerCache = deps.changeFeed ? createChangeFedCache<string | undefined>(deps.changeFeed, 'issuers') : undefined;
  const verifyDeps = {
    ...deps,
    circuitCache,
    nonceStates: createNonceStateReader(deps),
    verifications: createVerificationRecorder({ ...deps, issuerCache }),
    suspects: createSuspectPartners(deps),
  };

  // ---- Issuers (operator) ----
  r.post('/api/admin/issuers', {
    config: { ...admin, idempotent: true },
    schema: { operationId: 'createIssuer', tags: ['Admin'], summary: 'Trust an issuer public key for claim types', description: 'Trusts a Baby Jubjub EdDSA public key to sign credentials for the given claim types. 409 when the key is already registered.', body: IssuerCreateSchema, response: { 201: jsonResponse('The trusted issuer', IssuerSchema), ...errorResponses(400, 401, 409) } },
  }, async (request, reply) => {
    const result = await registerIssuer(deps, request.body, adminActor(request));
    if (!result.ok) throw new ApiError('CONFLICT', `this public key is already registered as ${result.existingId}`);
    reply.code(201);
    return result.issuer;
  });
  r.get('/api/admin/issuers', {
    config: admin,
    schema: { operationId: 'listIssuers', tags: ['Admin'], summary: 'List trusted issuers', description: 'Issuers and the claim types each is trusted for.', response: { 200: jsonResponse('Every issuer, disabled ones included', z.array(IssuerSchema)), ...errorResponses(401) } },
  }, async () => listIssuers(deps));
  r.delete('/api/admin/issuers/:id', {
    config: admin,
    schema: { operationId: 'disableIssuer', tags: ['Admin'], summary: 'Stop trusting an issuer', description: 'Proofs of credentials it signed fail with `UNTRUSTED_ISSUER` from now on; earlier outcomes stand.', params: z.strictObject({ id: IdParam('iss') }), response: { 200: jsonResponse('The issuer, now disabled', IssuerSchema), ...errorResponses(400, 401, 404) } },
  }, async (request) => {
    const issuer = await disableIssuer(deps, request.params.id, adminActor(request));
    if (!issuer) throw new ApiError('NOT_FOUND', `no issuer ${request.params.id}`);
    issuerCache?.forget(issuer.id);
    return issuer;
  });

  // ---- Circuit registry (operator) ----
  // Raw uploads (application/octet-stream, up to 128 MiB) in a scope of their own: no other route
  // takes that content type or that size, and the admin token is checked before a byte is read.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: ARTIFACT_UPLOAD_LIMIT_BYTES }, (_request, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().put('/api/admin/artifacts/*', {
      config: admin,
      bodyLimit: ARTIFACT_UPLOAD_LIMIT_BYTES,
      schema: {
        operationId: 'uploadArtifact',
        tags: ['Admin'],
        summary: 'Upload an artifact (wasm, zkey, verification key) to object storage under the given key',
        description: 'Send the raw bytes with Content-Type application/octet-stream; then reference the key in POST /api/admin/circuits.',
        consumes: ['application/octet-stream'],
        params: z.object({ '*': z.string().min(1).max(512).regex(/^[A-Za-z0-9][A-Za-z0-9._\/-]*$/, 'must be an object key: letters, digits, ., _, - and / separated segments') }),
        response: { 201: jsonResponse('Stored: the key, the SHA-256 and the size of the bytes', z.object({ key: z.string(), sha256: z.string(), size: z.number().int() })), ...errorResponses(400, 401, 413, 415) },
      },
    }, async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'send the artifact as application/octet-stream');
      const key = request.params['*'];
      let stored: { sha256: string };
      try {
        stored = await deps.storage.put(key, request.body, 'application/octet-stream');
      } catch (error) {
        if (/unsafe object key/.test((error as Error).message)) throw new ApiError('VALIDATION_FAILED', `params.*: ${(error as Error).message}`);
        throw error;
      }
      reply.code(201);
      return { key, sha256: stored.sha256, size: request.body.length };
    });
  });

  r.post('/api/admin/circuits', {
    config: { ...admin, idempotent: true },
    schema: { operationId: 'createCircuit', tags: ['Admin'], summary: 'Register a circuit artifact version', description: 'Registers a circuit version from uploaded artifacts (object keys); the verification key is checked and the artifacts hashed. 409 for a version already registered.', body: CircuitVersionCreateSchema, response: { 201: jsonResponse('The registered circuit version', CircuitVersionSchema), ...errorResponses(400, 401, 409, 422) } },
  }, async (request, reply) => {
    const result = await registerCircuit(deps, request.body, adminActor(request));
    if (!result.ok) throw new ApiError(result.code === 'ALREADY_REGISTERED' ? 'CONFLICT' : result.code, result.message);
    reply.code(201);
    return result.circuit;
  });
  r.get('/api/admin/circuits', {
    config: admin,
    schema: { operationId: 'listCircuits', tags: ['Admin'], summary: 'List circuit versions', description: 'Circuit versions, enabled or not, with their artifact keys and hashes.', response: { 200: jsonResponse('Every circuit version', z.array(CircuitVersionSchema)), ...errorResponses(401) } },
  }, async () => (await listCircuitRows(deps, { enabledOnly: false })).map(toCircuitVersion));
  r.patch('/api/admin/circuits/:id', {
    config: admin,
    schema: {
      operationId: 'updateCircuit',
      tags: ['Admin'], summary: 'Enable or disable a circuit version', description: 'A disabled version is refused by POST /api/v1/verify (`UNKNOWN_CIRCUIT`) and no longer listed publicly.',
      params: z.strictObject({ id: IdParam('cir') }), body: z.strictObject({ enabled: z.boolean() }),
      response: { 200: jsonResponse('The circuit version as changed', CircuitVersionSchema), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const circuit = await setCircuitEnabled(deps, request.params.id, request.body.enabled, adminActor(request));
    if (!circuit) throw new ApiError('NOT_FOUND', `no circuit ${request.params.id}`);
    circuitCache?.forget(request.params.id);
    return circuit;
  });

  // ---- Public artifacts for provers ----
  r.get('/api/v1/circuits', {
    config: { access: access.public },
    schema: { operationId: 'listPublicCircuits', tags: ['Circuits'], summary: 'Enabled circuit versions and where to download their artifacts', description: 'What a prover needs: each enabled claim type and version with the URLs and SHA-256 of its wasm, zkey and verification key.', response: { 200: jsonResponse('Enabled circuit versions', z.array(PublicCircuitSchema)) } },
  }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=60');
    return (await listCircuitRows(deps, { enabledOnly: true })).map(toPublicCircuit);
  });
  r.get('/api/v1/circuits/:claim_type/:semver/:artifact', {
    config: { access: access.public },
    schema: {
      operationId: 'downloadCircuitArtifact',
      tags: ['Circuits'], summary: 'Download an artifact (immutable; ETag = its SHA-256)', description: 'The bytes of an enabled circuit artifact: `application/wasm`, `application/octet-stream` (zkey) or `application/json` (verification key). Cache it forever; revalidate with `If-None-Match`.',
      params: z.strictObject({ claim_type: z.enum(CLAIM_TYPES), semver: z.string().max(40), artifact: ArtifactFileSchema }),
      response: {
        200: {
          description: 'The artifact; `ETag` is its SHA-256',
          content: { 'application/wasm': { schema: z.any() }, 'application/octet-stream': { schema: z.any() }, 'application/json': { schema: z.any() } },
        },
        304: z.null().describe('Not modified: `If-None-Match` names the current ETag'),
        404: errorResponse(404, 'No such enabled circuit version, or its artifact is missing (`NOT_FOUND`)'),
      },
    },
  }, async (request, reply) => {
    const { claim_type, semver, artifact } = request.params;
    const circuit = await findCircuit(deps, claim_type, semver);
    if (!circuit || !circuit.enabled) throw new ApiError('NOT_FOUND', `no enabled circuit ${claim_type} ${semver}`);
    const kind = KIND_BY_FILE[artifact]!;
    const objectKey = { vkey: circuit.vkeyS3, wasm: circuit.wasmS3, zkey: circuit.zkeyS3 }[kind];
    const etag = `"${{ vkey: circuit.vkeySha256, wasm: circuit.wasmSha256, zkey: circuit.zkeySha256 }[kind]}"`;
    reply.header('etag', etag).header('cache-control', 'public, max-age=31536000, immutable');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
    const bytes = await deps.storage.get(objectKey);
    if (!bytes) throw new ApiError('NOT_FOUND', `artifact ${artifact} is missing from storage`);
    reply.header('content-type', kind === 'vkey' ? 'application/json' : kind === 'wasm' ? 'application/wasm' : 'application/octet-stream');
    return reply.send(bytes);
  });

  // ---- Partner: proof requests, verification, status ----
  r.post('/api/v1/requests', {
    config: { ...partner, idempotent: true },
    schema: {
      operationId: 'createProofRequest',
      tags: ['Verify'], summary: 'Create a proof request: a fresh nonce bound to claim, domain and parameters', description: 'A single-use nonce bound to a claim type, your verifier domain and parameters, valid for `ttl_seconds`. The holder proves against it; POST /api/v1/verify then checks the binding.', 
      body: ProofRequestCreateSchema, response: { 201: jsonResponse('The proof request with its nonce; hand it to the holder', ProofRequestSchema), ...errorResponses(400, 401, 403, 422, 429) },
    },
  }, async (request, reply) => {
    const client = requireScope(request, request.body.claim_type);
    const result = await createProofRequest(deps, client.id, request.body);
    if (!result.ok) throw new ApiError('INVALID_PARAMS', result.message);
    reply.code(201);
    return result.request;
  });

  r.post('/api/v1/verify', {
    config: { ...billable, idempotent: true },
    schema: {
      operationId: 'verifyProof',
      tags: ['Verify'], summary: 'Verify a ZK proof synchronously', description: 'Checks a Groth16 proof for a claim: scope, circuit version, public signals, nonce (single use), the proof, the issuer, the date, parameters and binding. A checked proof that fails answers 422 with `proof_id` and `receipt_url`. An `Idempotency-Key` replays the first answer for 10 minutes.', 
      body: ProofVerifyRequestSchema,
      response: { 200: jsonResponse('The proof verified; its receipt will be at `receipt_url`', ProofVerifyResponseSchema), ...errorResponses(400, 401, 403, 409, 413, 422, 429) },
    },
  }, async (request: FastifyRequest<{ Body: z.infer<typeof ProofVerifyRequestSchema> }>, reply: FastifyReply) => {
    const client = requireScope(request, request.body.claim_type);
    const actor = { type: 'partner' as const, id: client.id, ip: request.ip, requestId: request.id };
    const response = renderOutcome(await verifyProof(verifyDeps, client.id, request.body, actor), request.id);
    return reply.code(response.status).send(response.body);
  });

  r.get('/api/v1/status/:proof_id', {
    config: partner,
    schema: {
      operationId: 'getProofStatus',
      tags: ['Status'], summary: 'Status of a proof by id (only the partner that verified it sees it)', description: 'The outcome of one of your proofs: status, claim type, time and failure code; another partner\'s answers 404.', 
      params: z.strictObject({ proof_id: IdParam('prf') }), response: { 200: jsonResponse('The outcome of the proof', ProofStatusSchema), ...errorResponses(401, 404, 429) },
    },
  }, async (request) => {
    const status = await getProofStatus(deps, request.client!.id, request.params.proof_id);
    if (!status) throw new ApiError('NOT_FOUND', `no proof ${request.params.proof_id}`);
    return status as z.infer<typeof ProofStatusSchema>;
  });
}
