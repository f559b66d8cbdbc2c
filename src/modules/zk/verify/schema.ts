import { z } from 'zod';
import { EXAMPLE } from '#platform/http/openapi-examples.ts';
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
  .meta({
    id: 'ProofVerifyRequest',
    examples: [{
      claim_type: 'age_over_18',
      circuit_version: '1.0.0',
      proof: {
        pi_a: ['4826051798143957215893432155734563297467210338164211547361045321962745806733', '1583629453211298541227869371580239148218426434346305213476598170218830219873', '1'],
        pi_b: [
          ['8317946137420118312946735412617493874621938710248730148273604198273461982736', '1029384756102938475610293847561029384756102938475610293847561029384756102938'],
          ['2938475610293847561029384756102938475610293847561029384756102938475610293847', '5610293847561029384756102938475610293847561029384756102938475610293847561029'],
          ['1', '0'],
        ],
        pi_c: ['6102938475610293847561029384756102938475610293847561029384756102938475610293', '3847561029384756102938475610293847561029384756102938475610293847561029384756', '1'],
        protocol: 'groth16',
        curve: 'bn128',
      },
      public_signals: ['1', '18', '20260314', '7283649182736491827364918273649182736491827364918273649182736491', '1928374650192837465019283746501928374650192837465019283746501928'],
      request: { nonce: 'x3m5Zq8VtR2pW9kL4nB7cD1fG6hJ0sA-', verifier_domain: 'acme-bank.example' },
    }],
  });

export const ProofVerifyResponseSchema = z
  .object({
    status: z.literal('verified'),
    proof_id: z.string(),
    ts: z.string(),
  })
  .loose()
  .meta({ id: 'ProofVerifyResponse', examples: [{ status: 'verified', proof_id: EXAMPLE.proofId, ts: EXAMPLE.time, receipt_url: `/api/v1/receipts/${EXAMPLE.proofId}` }] });

export const ProofStatusSchema = z
  .object({
    status: z.enum(['pending', 'verified', 'failed']),
    claim_type: z.enum(CLAIM_TYPES),
    ts: z.string(),
    verifier_id: z.string().nullable(),
    failure_code: z.string().nullable(),
  })
  .meta({ id: 'ProofStatus', examples: [{ status: 'verified', claim_type: 'age_over_18', ts: EXAMPLE.time, verifier_id: EXAMPLE.clientId, failure_code: null }] });

export const ProofRequestCreateSchema = z
  .strictObject({
    claim_type: z.enum(CLAIM_TYPES),
    verifier_domain: VerifierDomain,
    params: ClaimParamsSchema.optional(),
    ttl_seconds: z.number().int().min(30).max(24 * 3600).default(600),
  })
  .meta({ id: 'ProofRequestCreate', examples: [{ claim_type: 'income_gte', verifier_domain: 'acme-bank.example', params: { min_income: 50000 }, ttl_seconds: 600 }] });

export const ProofRequestSchema = z
  .object({
    request_id: z.string(),
    nonce: z.string(),
    verifier_domain: z.string(),
    claim_type: z.enum(CLAIM_TYPES),
    params: z.record(z.string(), z.number()),
    expires_at: z.string(),
  })
  .meta({ id: 'ProofRequest', examples: [{ request_id: EXAMPLE.proofRequestId, nonce: 'x3m5Zq8VtR2pW9kL4nB7cD1fG6hJ0sA-', verifier_domain: 'acme-bank.example', claim_type: 'income_gte', params: { min_income: 50000 }, expires_at: '2026-03-14T09:36:53.000Z' }] });

export type ProofVerifyRequest = z.infer<typeof ProofVerifyRequestSchema>;
