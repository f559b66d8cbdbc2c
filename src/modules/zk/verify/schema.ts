import { z } from 'zod';
import { CLAIM_TYPES } from '../credentials/claim-types.ts';
import { SemverSchema } from '../circuits/schema.ts';
import { ClaimParamsSchema } from './claim-params.ts';

const Nonce = z.string().min(16, 'must be at least 16 characters (>= 96 bits)').max(512).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').describe('base64url nonce from POST /api/v1/requests, or your own');
const VerifierDomain = z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.-]+\.?$/, 'must be a domain name').describe('Domain the proof is bound to (eTLD+1 preferred)');

/** Seed `ProofVerifyRequest` (additionalProperties: false); `request.params` is our addition. */
export const ProofVerifyRequestSchema = z
  .strictObject({
    claim_type: z.enum(CLAIM_TYPES),
    circuit_version: SemverSchema,
    proof: z.record(z.string(), z.unknown()).describe('Groth16 proof object as snarkjs produces it: {pi_a, pi_b, pi_c, protocol, curve}'),
    public_signals: z.array(z.string().max(100)).min(1).max(64),
    request: z.strictObject({ nonce: Nonce, verifier_domain: VerifierDomain, params: ClaimParamsSchema.optional() }),
  })
  .meta({ id: 'ProofVerifyRequest' });

export const ProofVerifyResponseSchema = z
  .object({
    status: z.literal('verified'),
    proof_id: z.string(),
    ts: z.string(),
  })
  .loose()
  .meta({ id: 'ProofVerifyResponse' });

export const ProofStatusSchema = z
  .object({
    status: z.enum(['pending', 'verified', 'failed']),
    claim_type: z.enum(CLAIM_TYPES),
    ts: z.string(),
    verifier_id: z.string().nullable(),
    failure_code: z.string().nullable(),
  })
  .meta({ id: 'ProofStatus' });

export const ProofRequestCreateSchema = z
  .strictObject({
    claim_type: z.enum(CLAIM_TYPES),
    verifier_domain: VerifierDomain,
    params: ClaimParamsSchema.optional(),
    ttl_seconds: z.number().int().min(30).max(24 * 3600).default(600),
  })
  .meta({ id: 'ProofRequestCreate' });

export const ProofRequestSchema = z
  .object({
    request_id: z.string(),
    nonce: z.string(),
    verifier_domain: z.string(),
    claim_type: z.enum(CLAIM_TYPES),
    params: z.record(z.string(), z.number()),
    expires_at: z.string(),
  })
  .meta({ id: 'ProofRequest' });

export type ProofVerifyRequest = z.infer<typeof ProofVerifyRequestSchema>;
