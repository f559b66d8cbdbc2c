/** What a partner is billed for, one usage event per outcome. */
export const PRODUCTS = ['zk_verification', 'tee_attestation', 'evidence_verification', 'evidence_certificate', 'agent_query', 'x402_settlement'] as const;
export type Product = (typeof PRODUCTS)[number];

/** The metered kinds (what the modules record) and the product and CloudEvents `source` of each. */
export const USAGE_KINDS = {
  'zk.verify': { product: 'zk_verification', source: '/zk' },
  'tee.verify': { product: 'tee_attestation', source: '/attestations' },
  'evidence.verify': { product: 'evidence_verification', source: '/evidence' },
  'certificate.issue': { product: 'evidence_certificate', source: '/certificates' },
  'agents.query': { product: 'agent_query', source: '/agents' },
  'x402.settle': { product: 'x402_settlement', source: '/x402' },
} as const satisfies Record<string, { product: Product; source: string }>;
export type UsageKind = keyof typeof USAGE_KINDS;

/** The CloudEvents `type` of a product's usage events. */
export const usageEventType = (product: string) => `io.veridity.usage.${product}`;

/** CloudEvents `id`: one per outcome, so the same outcome recorded again (a retried job) is not counted twice. */
export const usageEventId = (product: Product, outcomeId: string) => `${product}:${outcomeId}`;
