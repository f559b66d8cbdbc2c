import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, IdParam, jsonResponse } from '#platform/http/schemas.ts';
import { adminActor } from '#modules/admin/admin-auth.ts';
import { findClientName } from '#modules/clients/find-client-name.ts';
import { ClientIdParams } from '#modules/clients/schema.ts';
import { partnerOf } from '#modules/clients/partner-auth.ts';
import { BILLING_MODES, findBillingAccount, overCapReason, type BillingAccount } from './billing-account.ts';
import { BALANCE_TRANSACTION_KINDS } from './post-balance-transaction.ts';
import { listBalanceTransactions, readBalance } from './read-balance.ts';
import { recordBalanceTransaction, type OperatorTransaction } from './record-balance-transaction.ts';
import { setBillingMode } from './set-billing-mode.ts';

type Deps = { pool: Pool; clock: Clock; currency: string };

const MinorUnits = z.number().int();

const BalanceSchema = z
  .object({
    currency: z.string().describe('ISO 4217 (BILLING_CURRENCY); amounts are integer minor units of it'),
    balance: MinorUnits.describe('Deposits and refunds minus charges, from the ledger (negative: owed)'),
    billing_mode: z.enum(BILLING_MODES).describe('`prepaid`: billable calls stop when the balance is used up; `invoice`: charges are invoiced'),
    month_to_date_spend: MinorUnits.describe('Overage this month as of the last charge (usage beyond the included quotas, at the plan\'s prices), before the cap'),
    monthly_spending_cap: MinorUnits.nullable().describe('The plan\'s cap as of the last charge; null: none'),
    over_cap: z.enum(['SPENDING_CAP', 'BALANCE_EXHAUSTED']).nullable().describe('Why billable calls are refused (402) now; null: they are not'),
  })
  .meta({ id: 'Balance' });

const BalanceTransactionSchema = z
  .object({
    id: z.string().describe('`btx_...`'),
    kind: z.enum(BALANCE_TRANSACTION_KINDS),
    amount: MinorUnits.describe('Effect on the balance: positive for deposits and refunds, negative for charges, either for adjustments'),
    period: z.string().nullable().describe('Charges: the billing period (UTC month start) charged'),
    reference: z.string().nullable(),
    reason: z.string().nullable().describe('Refunds and adjustments: why, in the operator\'s words'),
    created_at: z.string(),
  })
  .meta({ id: 'BalanceTransaction' });

const BalanceTransactionPage = z
  .object({ data: z.array(BalanceTransactionSchema), next_cursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null on the last page') })
  .meta({ id: 'BalanceTransactionPage' });

const BalanceTransactionQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: IdParam('btx').optional().describe('`next_cursor` of the previous page'),
  kind: z.enum(BALANCE_TRANSACTION_KINDS).optional().describe('Only transactions of this kind'),
});

const Reference = z.string().min(1).max(200).optional().describe('Your reference (bank transfer, receipt, credit note)');
const Reason = z.string().min(1).max(500).describe('Why: shown to the partner with the transaction');
const Credit = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

const DepositBody = z.strictObject({ amount: Credit.describe('Minor units of BILLING_CURRENCY received'), reference: Reference }).meta({ id: 'Deposit' });

const RefundBody = z
  .strictObject({ amount: Credit.describe('Minor units given back: at most what the partner was charged and not refunded yet'), reason: Reason, reference: Reference })
  .meta({ id: 'Refund' });

const AdjustmentBody = z
  .strictObject({
    amount: z
      .number()
      .int()
      .min(-Number.MAX_SAFE_INTEGER)
      .max(Number.MAX_SAFE_INTEGER)
      .refine((amount) => amount !== 0, 'must not be 0')
      .describe('Minor units added to the balance (negative: taken from it)'),
    reason: Reason,
    reference: Reference,
  })
  .meta({ id: 'Adjustment' });

const DepositResult = z.object({ transaction_id: z.string(), balance: MinorUnits.describe('The balance after it') }).meta({ id: 'DepositResult' });

const BillingModeBody = z.strictObject({ billing_mode: z.enum(BILLING_MODES) }).meta({ id: 'BillingModeChange' });

function balanceView(deps: Deps, account: BillingAccount, balance: number): z.infer<typeof BalanceSchema> {
  return {
    currency: deps.currency,
    balance,
    billing_mode: account.mode,
    month_to_date_spend: account.spend,
    monthly_spending_cap: account.cap,
    over_cap: overCapReason(account, deps.clock.now()) ?? null,
  };
}

/** The prepaid balance: the operator's deposits, refunds, adjustments and billing mode, the partner's balance and its transactions. */
export function registerBalanceRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  const IDEMPOTENT = ' Send an `Idempotency-Key`: a retried request is then posted once.';
  /** The operator's postings: one route per kind, the same answer. */
  const postings = [
    {
      kind: 'deposit',
      url: '/api/admin/clients/:id/balance/deposits',
      operationId: 'depositCredits',
      summary: "Credit a partner's balance with money received",
      description: 'Posts a `deposit` to the partner\'s ledger (cash received against the partner\'s credits). A prepaid partner refused for an exhausted balance is served again at once; its evidence waiting for credits is queued by the next billing cycle.',
      body: DepositBody,
      conflict: false,
    },
    {
      kind: 'refund',
      url: '/api/admin/clients/:id/balance/refunds',
      operationId: 'refundCharges',
      summary: "Give back part of what a partner was charged, to its balance",
      description: 'Posts a `refund` to the partner\'s ledger (revenue given back: the balance goes up, and the month\'s invoice applies it like a deposit). At most what the partner was charged and not refunded yet: over that, 409 `CONFLICT` with `refundable`.',
      body: RefundBody,
      conflict: true,
    },
    {
      kind: 'adjustment',
      url: '/api/admin/clients/:id/balance/adjustments',
      operationId: 'adjustBalance',
      summary: "Correct a partner's balance, up or down",
      description: 'Posts an `adjustment` to the partner\'s ledger, against the platform\'s adjustments account: a positive `amount` adds to the balance, a negative one takes from it (a prepaid partner may then be refused for an exhausted balance). The month\'s invoice applies it like a deposit (a negative one reduces what is applied).',
      body: AdjustmentBody,
      conflict: false,
    },
  ] as const;
  for (const posting of postings) {
    r.post(posting.url, {
      config: { access: access.admin, idempotent: true },
      schema: {
        operationId: posting.operationId,
        tags: ['Admin'],
        summary: posting.summary,
        description: posting.description + IDEMPOTENT,
        params: ClientIdParams,
        body: posting.body,
        response: { 201: jsonResponse('The transaction and the balance after it', DepositResult), ...errorResponses(400, 401, 404, ...(posting.conflict ? [409] : [])) },
      },
    }, async (request, reply) => {
      // The route's body schema is its kind's: the pair is an OperatorTransaction.
      const result = await recordBalanceTransaction(deps, request.params.id, { kind: posting.kind, ...request.body } as OperatorTransaction, adminActor(request));
      if (!result.ok) throw new ApiError(result.code, result.message, result.code === 'CONFLICT' ? { refundable: result.refundable } : undefined);
      reply.code(201);
      return { transaction_id: result.value.transactionId, balance: result.value.account.balance };
    });
  }

  r.put('/api/admin/clients/:id/billing-mode', {
    config: { access: access.admin },
    schema: {
      operationId: 'setBillingMode',
      tags: ['Admin'],
      summary: 'Put a partner on prepaid credits or on invoices',
      description: '`invoice` (the default): usage is charged and invoiced, capped by the plan\'s monthly spending cap. `prepaid`: billable calls are also refused (402 `BALANCE_EXHAUSTED`) once the balance is used up.',
      params: ClientIdParams,
      body: BillingModeBody,
      response: { 200: jsonResponse('The partner\'s balance', BalanceSchema), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const result = await setBillingMode(deps, request.params.id, request.body.billing_mode, adminActor(request));
    if (!result.ok) throw new ApiError(result.code, result.message);
    return balanceView(deps, result.value, result.value.balance);
  });

  r.get('/api/admin/clients/:id/balance', {
    config: { access: access.admin },
    schema: {
      operationId: 'getClientBalance',
      tags: ['Admin'],
      summary: "A partner's balance, billing mode, month-to-date spend and cap state",
      description: 'What the partner reads at `GET /api/v1/billing/balance`: the operator sees it before a deposit, a refund, an adjustment or a change of mode.',
      params: ClientIdParams,
      response: { 200: jsonResponse('The partner\'s balance', BalanceSchema), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const clientId = request.params.id;
    if ((await findClientName(deps.pool, clientId)) === undefined) throw new ApiError('NOT_FOUND', `no client ${clientId}`);
    return balanceView(deps, await findBillingAccount(deps.pool, clientId), await readBalance(deps.pool, clientId));
  });

  r.get('/api/v1/billing/balance', {
    config: { access: access.partner() },
    schema: {
      operationId: 'getBalance',
      tags: ['Partner'],
      summary: 'Your balance, billing mode, month-to-date spend and cap state',
      description: 'The balance is the sum of your ledger (deposits and refunds minus charges), current to the last transaction. Charges are posted by the platform\'s billing cycle (every few minutes): `month_to_date_spend` is as of the last one.',
      response: { 200: jsonResponse('Your balance', BalanceSchema), ...errorResponses(401) },
    },
  }, async (request) => {
    const clientId = partnerOf(request).id;
    return balanceView(deps, await findBillingAccount(deps.pool, clientId), await readBalance(deps.pool, clientId));
  });

  r.get('/api/v1/billing/balance/transactions', {
    config: { access: access.partner() },
    schema: {
      operationId: 'listBalanceTransactions',
      tags: ['Partner'],
      summary: 'Your balance transactions, newest first',
      description: 'Deposits, charges (one per billing cycle with new overage), refunds and adjustments, each with its effect on the balance; `kind` keeps one of them. Pass `next_cursor` as `cursor` for the next page.',
      querystring: BalanceTransactionQuery,
      response: { 200: jsonResponse('A page of transactions', BalanceTransactionPage), ...errorResponses(400, 401) },
    },
  }, async (request) => listBalanceTransactions(deps, partnerOf(request).id, request.query));
}
