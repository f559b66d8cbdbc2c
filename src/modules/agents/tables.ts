/** One endpoint of an agent card, as ERC-8004 registration files list them. */
export type AgentEndpoint = { name: EndpointName; endpoint: string; version?: string | undefined };
export const ENDPOINT_NAMES = ['A2A', 'MCP', 'web', 'DID', 'agentWallet'] as const;
export type EndpointName = (typeof ENDPOINT_NAMES)[number];

export const SUPPORTED_TRUST = ['reputation', 'crypto-economic', 'tee-attestation'] as const;

/** A price hint (not a quote): `amount` of `currency` per `unit`, optionally payable by x402. */
export const PRICING_UNITS = ['request', 'task', 'hour', '1k_tokens'] as const;
export type PricingHint = { unit: (typeof PRICING_UNITS)[number]; amount: string; currency: string; x402?: boolean | undefined };

/** What a partner states about its agent (registration and PATCH). */
export type AgentCard = {
  name: string;
  description: string;
  image: string | null;
  endpoints: AgentEndpoint[];
  supportedTrust: string[];
  capabilities: string[];
  tags: string[];
  pricing: PricingHint[];
};

/** A row of `registry_agents` (the registry's agents, `agr_...`; not the evidence module's `agt_...`). */
export type RegistryAgentRow = AgentCard & {
  id: string;
  clientId: string;
  controllerDid: string;
  verifiedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  deactivatedAt: Date | null;
  /** The reputation summary, maintained by the reputation model: null until there is evidence. */
  score: number | null;
  confidence: number;
  reputationUpdatedAt: Date | null;
};

export const AGENT_COLUMNS = `id, client_id AS "clientId", name, description, image, endpoints, supported_trust AS "supportedTrust",
  capabilities, tags, pricing, controller_did AS "controllerDid", verified_at AS "verifiedAt", created_at AS "createdAt",
  updated_at AS "updatedAt", deactivated_at AS "deactivatedAt", score, confidence, reputation_updated_at AS "reputationUpdatedAt"`;

/** The unique violations the registry maps to answers (a race lost to a concurrent request). */
export const CONSTRAINTS = {
  /** A challenge used already (`registry_ownership_proofs` is keyed by the challenge). */
  challengeUsed: 'registry_ownership_proofs_pkey',
  /** Another live verified agent of the same controller account has this name. */
  verifiedName: 'registry_agents_verified_name_key',
} as const;

/** The constraint a statement violated, when it was a unique violation. */
export function uniqueViolation(error: unknown): string | undefined {
  const candidate = error as { code?: unknown; constraint?: unknown } | null;
  return candidate?.code === '23505' && typeof candidate.constraint === 'string' ? candidate.constraint : undefined;
}
