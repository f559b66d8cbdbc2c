import type { Schemas } from '../../api/client.ts';

export type Product = Schemas['PartnerUsage']['series'][number]['product'];

/** Every product the usage API counts (a Record: a new product fails the type check until it is named here). */
export const PRODUCT_LABELS: Record<Product, string> = {
  zk_verification: 'Zero-knowledge verifications',
  tee_attestation: 'TEE attestations',
  evidence_verification: 'Evidence verifications',
  evidence_certificate: 'Certificates issued',
  agent_query: 'Agent queries',
  x402_settlement: 'x402 settlements',
};
