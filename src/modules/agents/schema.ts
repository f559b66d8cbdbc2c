import { z } from 'zod';
import { HttpUrl, IdParam } from '#platform/http/schemas.ts';
import { CAPABILITIES } from './capabilities.ts';
import { readAccountId } from './read-controller.ts';
import { ENDPOINT_NAMES, PRICING_UNITS, SUPPORTED_TRUST, type RegistryAgentRow } from './tables.ts';

const Text = (max: number) => z.string().max(max).regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'no control characters');
const Name = Text(200).trim().min(1);
const Did = z.string().max(300).regex(/^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/, 'must be a DID (did:<method>:<id>)');
const Label = z.string().regex(/^[a-z0-9][a-z0-9.+_-]{0,49}$/, 'lowercase letters, digits and . + _ -, at most 50');
const Controller = z.string().max(300).describe('`did:pkh:solana:<genesis ref>:<base58 address>` or `did:pkh:eip155:<chain id>:<0x address>`');

const Endpoint = z
  .strictObject({ name: z.enum(ENDPOINT_NAMES), endpoint: z.string().min(1).max(2048), version: Text(50).min(1).optional() })
  .superRefine((value, context) => {
    const refuse = (message: string) => context.addIssue({ code: 'custom', path: ['endpoint'], message });
    if (value.name === 'DID') {
      if (!Did.safeParse(value.endpoint).success) refuse('a DID endpoint is a DID (did:<method>:<id>)');
    } else if (value.name === 'agentWallet') {
      const account = readAccountId(value.endpoint);
      if (!account.ok) refuse(`an agentWallet is a CAIP-10 account: ${account.message}`);
    } else if (!HttpUrl.safeParse(value.endpoint).success) {
      refuse(`an ${value.name} endpoint is an http(s) URL without credentials`);
    }
  });

const Pricing = z.strictObject({
  unit: z.enum(PRICING_UNITS),
  amount: z.string().regex(/^(0|[1-9][0-9]{0,17})(\.[0-9]{1,18})?$/, 'a decimal amount, e.g. "0.002"'),
  currency: z.string().regex(/^[A-Z0-9]{2,10}$/, 'a currency or token symbol, e.g. USDC, SOL, EUR'),
  x402: z.boolean().optional().describe('Payable with an x402 (HTTP 402) payment'),
});

/** dstack app ids and compose hashes: hex (an optional 0x is dropped, letters lowercased). */
const Hex = (bytes: string) => z.string().trim().regex(/^(0x)?[0-9a-fA-F]+$/, 'hex').max(130).transform((value) => value.replace(/^0x/, '').toLowerCase()).describe(bytes);
const Tee = z
  .strictObject({ app_id: Hex('The dstack app id (hex)'), compose_hash: Hex('The SHA-256 of app-compose.json (hex): pin one version of the app').optional() })
  .meta({ id: 'AgentTee', description: 'The dstack app the agent runs in: work evidenced by a TEE attestation task must come from this app' });

const card = {
  name: Name,
  description: Text(4000).optional(),
  image: HttpUrl.nullable().optional(),
  endpoints: z.array(Endpoint).max(20).optional(),
  supported_trust: z.array(z.enum(SUPPORTED_TRUST)).max(SUPPORTED_TRUST.length).optional(),
  capabilities: z.array(z.string().max(100)).min(1).max(20).describe(`From the controlled vocabulary: ${CAPABILITIES.join(', ')}`),
  tags: z.array(Label).max(20).optional().describe('Free labels beside the capabilities'),
  pricing: z.array(Pricing).max(10).optional().describe('Price hints (not quotes)'),
  tee: Tee.nullable().optional(),
};

const OwnershipProofSchema = z
  .strictObject({
    challenge_id: IdParam('agc'),
    signature: z.string().min(1).max(200).describe('Solana: base58 Ed25519 signature of the message\'s UTF-8 bytes; EVM: 0x-hex EIP-191 personal_sign signature'),
  })
  .meta({ id: 'AgentOwnershipProof' });

const EXAMPLE_SOLANA = 'did:pkh:solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp:CKg5d12Jhpej1JqtmxLJgaFqqeYjxgPqToJ4LBdvG9Ev';

export const AgentRegistrationSchema = z
  .strictObject({ ...card, controller: Controller, ownership_proof: OwnershipProofSchema.optional().describe('A challenge the controller signed: without it the agent is `unverified`') })
  .meta({
    id: 'AgentRegistration',
    examples: [{
      name: 'Summarizer', description: 'Summarises long documents', image: 'https://agents.example/summarizer.png',
      endpoints: [{ name: 'A2A', endpoint: 'https://agents.example/.well-known/agent-card.json', version: '0.3.0' }],
      supported_trust: ['reputation'], capabilities: ['nlp.summarization'], tags: ['english'], pricing: [{ unit: 'request', amount: '0.002', currency: 'USDC', x402: true }],
      controller: EXAMPLE_SOLANA,
    }],
  });

export const AgentUpdateSchema = z
  .strictObject({ ...card, name: Name.optional(), capabilities: card.capabilities.optional(), controller: Controller.optional() })
  .refine((body) => Object.keys(body).length > 0, 'name at least one field to change')
  .meta({ id: 'AgentUpdate', examples: [{ description: 'Summarises long documents, in English and French' }] });

export const ChallengeRequestSchema = z
  .strictObject({ controller: Controller.optional(), agent_id: IdParam('agr').optional().describe('Verify this existing agent (its controller by default)') })
  .refine((body) => body.controller !== undefined || body.agent_id !== undefined, 'give controller, agent_id or both')
  .meta({ id: 'AgentChallengeRequest', examples: [{ controller: EXAMPLE_SOLANA }] });

export const ChallengeSchema = z
  .object({
    id: z.string().describe('`agc_...`: send it back with the signature'),
    message: z.string().describe('The exact text to sign (EIP-4361 layout)'),
    controller: z.string(),
    agent_id: z.string().nullable(),
    signing: z.enum(['solana-ed25519', 'eip191']).describe('How to sign: Ed25519 over the UTF-8 bytes (Solana signMessage), or EIP-191 personal_sign'),
    expires_at: z.string(),
  })
  .meta({ id: 'AgentChallenge' });

export const OwnershipProofRequestSchema = OwnershipProofSchema;

const EndpointOut = z.object({ name: z.string(), endpoint: z.string(), version: z.string().optional() });

export const RegistryAgentSchema = z
  .object({
    id: z.string().describe('`agr_...` (registry agents; enrolled evidence agents are `agt_...`)'),
    status: z.enum(['unverified', 'verified', 'deactivated']),
    name: z.string(),
    description: z.string(),
    image: z.string().nullable(),
    endpoints: z.array(EndpointOut),
    supported_trust: z.array(z.string()),
    capabilities: z.array(z.string()),
    tags: z.array(z.string()),
    pricing: z.array(Pricing),
    tee: z.object({ app_id: z.string(), compose_hash: z.string().optional() }).nullable(),
    controller: z.string().describe('The controller\'s did:pkh, canonical'),
    verified_at: z.string().nullable(),
    reputation: z.object({ score: z.number().nullable(), confidence: z.number(), updated_at: z.string().nullable() }),
    registration_url: z.string().describe('The public ERC-8004 registration file'),
    created_at: z.string(),
    updated_at: z.string(),
    deactivated_at: z.string().nullable(),
  })
  .meta({ id: 'RegistryAgent' });

export const RegistryAgentPageSchema = z
  .object({ data: z.array(RegistryAgentSchema), next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null: last page') })
  .meta({ id: 'RegistryAgentPage' });

const Probability = z.coerce.number().min(0).max(1);

export const AgentQuerySchema = z.strictObject({
  capability: z.string().max(100).optional().describe('One capability of the vocabulary'),
  tag: Label.optional(),
  min_score: Probability.optional(),
  min_confidence: Probability.optional(),
  verified: z.enum(['true', 'false']).optional(),
  sort: z.enum(['recent', 'score']).default('recent'),
  q: Text(200).trim().min(1).optional().describe('Full text over name and description (websearch syntax)'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const PartnerAgentQuerySchema = z.strictObject({
  status: z.enum(['unverified', 'verified', 'deactivated']).optional(),
  capability: z.enum(CAPABILITIES).optional().describe('One capability of the vocabulary'),
  name: Text(200).trim().min(1).optional().describe('Part of the name, any case'),
  cursor: IdParam('agr').optional().describe('`next_cursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const AgentIdParams = z.strictObject({ id: IdParam('agr') });
export const ControllerParams = z.strictObject({ did: z.string().min(1).max(300) });

export const ControllerCapabilitiesSchema = z
  .object({
    controller: z.string(),
    agents: z.array(z.object({ id: z.string(), name: z.string(), capabilities: z.array(z.string()), tags: z.array(z.string()), registration_url: z.string() })),
  })
  .meta({ id: 'ControllerCapabilities' });

export const RegistrationFileSchema = z.object({}).loose().meta({ id: 'AgentRegistrationFile', description: 'An ERC-8004 registration file (`type` https://eips.ethereum.org/EIPS/eip-8004#registration-v1)' });

export const registrationUrl = (id: string) => `/agents/${id}/registration.json`;

export function toRegistryAgent(row: RegistryAgentRow): z.infer<typeof RegistryAgentSchema> {
  return {
    id: row.id,
    status: row.deactivatedAt ? 'deactivated' : row.verifiedAt ? 'verified' : 'unverified',
    name: row.name,
    description: row.description,
    image: row.image,
    endpoints: row.endpoints,
    supported_trust: row.supportedTrust,
    capabilities: row.capabilities,
    tags: row.tags,
    pricing: row.pricing,
    tee: row.tee,
    controller: row.controllerDid,
    verified_at: row.verifiedAt?.toISOString() ?? null,
    reputation: { score: row.score, confidence: row.confidence, updated_at: row.reputationUpdatedAt?.toISOString() ?? null },
    registration_url: registrationUrl(row.id),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    deactivated_at: row.deactivatedAt?.toISOString() ?? null,
  };
}

/** The agent's card as an ERC-8004 registration file; Veridity's own facts under `veridity`. */
export function toRegistrationFile(row: RegistryAgentRow, publicUrl: string): Record<string, unknown> {
  return {
    type: 'https://eips.ethereum.org/EIPS/eip-8004#registration-v1',
    name: row.name,
    description: row.description,
    image: row.image,
    endpoints: row.endpoints,
    registrations: [],
    supportedTrust: row.supportedTrust,
    veridity: {
      agent_id: row.id,
      registry: new URL('/api/v1/agents', publicUrl).toString(),
      controller: row.controllerDid,
      verified: row.verifiedAt !== null,
      capabilities: row.capabilities,
      tags: row.tags,
      pricing: row.pricing,
      tee: row.tee,
      reputation: { score: row.score, confidence: row.confidence, updated_at: row.reputationUpdatedAt?.toISOString() ?? null },
    },
  };
}
