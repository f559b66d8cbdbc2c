/** A row of `x402_settlements`: one verified x402 payment (`stl_...`), its nonce spent. */
export type SettlementRow = {
  id: string;
  x402Version: 1 | 2;
  scheme: string;
  /** CAIP-2. */
  network: string;
  asset: string;
  payTo: string;
  payer: string;
  /** Atomic units, as decimal strings (numeric(78,0)). */
  amount: string;
  requiredAmount: string;
  status: SettlementStatus;
  transaction: string | null;
  settleError: string | null;
  purpose: 'agent' | 'query';
  clientId: string | null;
  agentId: string | null;
  workId: string | null;
  resource: string | null;
  validAfter: Date | null;
  validBefore: Date | null;
  verifiedAt: Date;
  settledAt: Date | null;
};

export const SETTLEMENT_STATUSES = ['verified', 'settled', 'settle_failed'] as const;
export type SettlementStatus = (typeof SETTLEMENT_STATUSES)[number];

export const SETTLEMENT_COLUMNS = `id, x402_version AS "x402Version", scheme, network, asset, pay_to AS "payTo", payer, amount::text AS amount,
  required_amount::text AS "requiredAmount", status, transaction, settle_error AS "settleError", purpose, client_id AS "clientId",
  agent_id AS "agentId", work_id AS "workId", resource, valid_after AS "validAfter", valid_before AS "validBefore",
  verified_at AS "verifiedAt", settled_at AS "settledAt"`;
