/** One endpoint of an agent card, as ERC-8004 registration files list them. */
export type AgentEndpoint = { name: EndpointName; endpoint: string; version?: string | undefined };
export const ENDPOINT_NAMES = ['A2A', 'MCP', 'web', 'DID', 'agentWallet'] as const;
export type EndpointName = (typeof ENDPOINT_NAMES)[number];

export const SUPPORTED_TRUST = ['reputation', 'crypto-economic', 'tee-attestation'] as const;

/** A price hint (not a quote): `amount` of `currency` per `unit`, optionally payable by x402. */
export const PRICING_UNITS = ['request', 'task', 'hour', '1k_tokens'] as const;
export type PricingHint = { unit: (typeof PRICING_UNITS)[number]; amount: string; currency: string; x402?: boolean | undefined };

/** The dstack app an agent runs in (its `app_id`, optionally the compose hash): TEE work records must match it. */
export type TeeDeclaration = { app_id: string; compose_hash?: string | undefined };

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
  tee: TeeDeclaration | null;
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
  capabilities, tags, pricing, tee, controller_did AS "controllerDid", verified_at AS "verifiedAt", created_at AS "createdAt",
  updated_at AS "updatedAt", deactivated_at AS "deactivatedAt", score, confidence, reputation_updated_at AS "reputationUpdatedAt"`;

/** The unique violations the registry maps to answers (a race lost to a concurrent request). */
export const CONSTRAINTS = {
  /** A challenge used already (`registry_ownership_proofs` is keyed by the challenge). */
  challengeUsed: 'registry_ownership_proofs_pkey',
  /** Another live verified agent of the same controller account has this name. */
  verifiedName: 'registry_agents_verified_name_key',
  /** The evidence backs another work record already. */
  evidenceUsed: 'registry_work_evidence_id_key',
  /** One validation per (work record, validator, tag). */
  validationTwice: 'registry_validations_work_id_validator_tag_key',
  /** Live feedback by this partner on this work record, settlement or (bare) agent exists. */
  feedbackWork: 'registry_feedback_work_key',
  feedbackSettlement: 'registry_feedback_settlement_key',
  feedbackBare: 'registry_feedback_bare_key',
} as const;

/** A validation of a work record (ERC-8004 shape): Veridity's own (`verified`) or a third party's the owner added (unverified). */
export type ValidationRow = { id: string; workId: string; agentId: string; validator: string; response: number; tag: string; evidenceRef: string; verified: boolean; createdAt: Date };

/** A row of `registry_work`: one link of an agent's content-addressed work history. */
export type WorkRecordRow = {
  id: string;
  agentId: string;
  clientId: string;
  seq: number;
  cid: string;
  prevCid: string | null;
  evidenceKind: 'zk_proof' | 'tee_task' | 'certificate';
  evidenceId: string;
  ledgerKind: string;
  ledgerPublicId: string;
  evidenceVerifiedAt: Date;
  outcome: 'succeeded' | 'failed';
  capability: string | null;
  summary: string;
  performedAt: Date | null;
  recordedAt: Date;
};

export const WORK_COLUMNS = `id, agent_id AS "agentId", client_id AS "clientId", seq, cid, prev_cid AS "prevCid", evidence_kind AS "evidenceKind",
  evidence_id AS "evidenceId", ledger_kind AS "ledgerKind", ledger_public_id AS "ledgerPublicId", evidence_verified_at AS "evidenceVerifiedAt",
  outcome, capability, summary, performed_at AS "performedAt", recorded_at AS "recordedAt"`;

export const VALIDATION_COLUMNS = `id, work_id AS "workId", agent_id AS "agentId", validator, response, tag, evidence_ref AS "evidenceRef", verified, created_at AS "createdAt"`;

/** A row of `registry_feedback`. `strength`: what backs it (verified work, a settlement, nothing); `self`: by the agent's owner or controller. */
export type FeedbackRow = {
  id: string;
  agentId: string;
  clientId: string;
  score: number;
  tags: string[];
  comment: string;
  workId: string | null;
  settlementId: string | null;
  strength: 'verified_work' | 'settlement' | 'bare';
  self: boolean;
  createdAt: Date;
  revokedAt: Date | null;
  response: string | null;
  respondedAt: Date | null;
};

export const FEEDBACK_COLUMNS = `id, agent_id AS "agentId", client_id AS "clientId", score, tags, comment, work_id AS "workId", settlement_id AS "settlementId",
  strength, self, created_at AS "createdAt", revoked_at AS "revokedAt", response, responded_at AS "respondedAt"`;
