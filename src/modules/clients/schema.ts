import { z } from 'zod';
import { EXAMPLE } from '#platform/http/openapi-examples.ts';
import { HttpUrl } from '#platform/http/schemas.ts';
import { CLAIM_TYPES } from '#modules/zk/credentials/claim-types.ts';
import type { ApiClientRow } from './tables.ts';

/** Submitting and reading TEE attestation tasks (/api/v1/tasks). */
export const TEE_ATTESTATION_SCOPE = 'tee_attestation';
/** Signed evidence: trust anchors, submissions (/api/v1/evidence, /api/v1/proofs) and their certificates (/api/v1/certificates). */
export const EVIDENCE_SCOPE = 'evidence';
/** The agent registry: registering, proving ownership of, changing and deactivating agents (/api/v1/agents). */
export const AGENTS_SCOPE = 'agents';
/** What an API key may be granted: one scope per zk claim type, the TEE attestation, evidence and agent registry scopes. */
export const SCOPES = [...CLAIM_TYPES, TEE_ATTESTATION_SCOPE, EVIDENCE_SCOPE, AGENTS_SCOPE] as const;
export const ScopeSchema = z.enum(SCOPES).meta({ id: 'Scope' });

const Scopes = z
  .array(ScopeSchema)
  .min(1)
  .max(SCOPES.length)
  .refine((scopes) => new Set(scopes).size === scopes.length, 'must not repeat a scope');

const CLIENT_EXAMPLE = { id: EXAMPLE.clientId, name: 'Acme Bank', scopes: ['age_over_18', 'income_gte'], webhook_url: 'https://hooks.acme-bank.example/veridity', rate_limit_per_minute: 120, key_prefix: 'vk_3Yq9T0b7', created_at: EXAMPLE.time, last_used: null, disabled_at: null };

export const ApiClientSchema = z
  .object({
    id: z.string().describe('Client id (`cli_...`)'),
    name: z.string(),
    scopes: z.array(ScopeSchema),
    webhook_url: z.string().nullable(),
    rate_limit_per_minute: z.number().int().nullable().describe("The client's own limit (requests per minute), overriding its plan's; null: the plan's (120 without a plan)"),
    key_prefix: z.string().describe("First characters of the partner's newest enabled API key (GET /api/v1/keys lists them all), to tell keys apart"),
    created_at: z.string().describe('ISO 8601'),
    last_used: z.string().nullable().describe('Refreshed at most once a minute'),
    disabled_at: z.string().nullable(),
  })
  .meta({ id: 'ApiClient', examples: [CLIENT_EXAMPLE] });

export const ApiClientCreateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    scopes: Scopes,
    webhook_url: HttpUrl.nullable().optional(),
    rate_limit_per_minute: z.number().int().min(1).max(1_000_000).optional(),
  })
  .meta({ id: 'ApiClientCreate', examples: [{ name: 'Acme Bank', scopes: ['age_over_18', 'income_gte'], webhook_url: 'https://hooks.acme-bank.example/veridity' }] });

export const ApiClientUpdateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    scopes: Scopes.optional(),
    webhook_url: HttpUrl.nullable().optional(),
    rate_limit_per_minute: z.number().int().min(1).max(1_000_000).nullable().optional().describe('null: follow the plan'),
  })
  .refine((body) => Object.keys(body).length > 0, 'at least one field must be given')
  .meta({ id: 'ApiClientUpdate', examples: [{ rate_limit_per_minute: 600 }] });

export const ApiClientWithSecretsSchema = ApiClientSchema.extend({
  api_key: z.string().optional().describe('Shown once; only its hash is stored'),
  webhook_secret: z.string().optional().describe('Shown once when a webhook URL is set; stored encrypted'),
}).meta({ id: 'ApiClientWithSecrets', examples: [{ ...CLIENT_EXAMPLE, api_key: EXAMPLE.apiKey, webhook_secret: EXAMPLE.webhookSecret }] });

export const ClientIdParams = z.strictObject({ id: z.string().regex(/^cli_[0-9a-z]{26}$/, 'must be a client id (cli_...)') });

export type ApiClientCreate = z.infer<typeof ApiClientCreateSchema>;
export type ApiClientUpdate = z.infer<typeof ApiClientUpdateSchema>;
export type ApiClient = z.infer<typeof ApiClientSchema>;

/** `keyPrefix`: see find-key-prefixes.ts. */
export function toApiClient(row: ApiClientRow, webhookUrl: string | null, keyPrefix: string): ApiClient {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes as ApiClient['scopes'],
    webhook_url: webhookUrl,
    rate_limit_per_minute: row.rateLimitPerMinute,
    key_prefix: keyPrefix,
    created_at: row.createdAt.toISOString(),
    last_used: row.lastUsed?.toISOString() ?? null,
    disabled_at: row.disabledAt?.toISOString() ?? null,
  };
}
