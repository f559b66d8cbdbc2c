import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Badge } from '../../components/ui/badge.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card.tsx';
import { EmptyState, StatusFilterEmptyState } from '../../components/ui/empty-state.tsx';
import { Figures } from '../../components/ui/figures.tsx';
import { allOr, FilterSelect } from '../../components/ui/input.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { Pagination, Table, TBody, Td, Th, THead, Tr } from '../../components/ui/table.tsx';
import { cn } from '../../lib/cn.ts';
import { useCursorPages } from '../../lib/cursor-pages.ts';
import { formatDateTime, formatMoney, formatMonth } from '../../lib/format.ts';
import { countedFrom, meter, totalsPerProduct, type Meter, type MeterState } from './billing-meters.ts';
import { InvoicesCard } from './billing-invoices.tsx';
import { PRODUCT_LABELS, type Product } from './products.ts';

type PartnerPlan = Schemas['PartnerPlan'];
type Balance = Schemas['Balance'];
type TransactionKind = Schemas['BalanceTransaction']['kind'];

const PAGE_SIZE = 10;
const TIER_LABELS = { starter: 'Starter', pro: 'Pro', enterprise: 'Enterprise' } as const satisfies Record<NonNullable<PartnerPlan['tier']>, string>;
const KIND_TONE = { deposit: 'success', refund: 'success', adjustment: 'neutral', charge: 'warning' } as const satisfies Record<TransactionKind, string>;
const KINDS = Object.keys(KIND_TONE) as TransactionKind[];
const METER_TONE: Record<MeterState, string> = { within: 'bg-chart', near: 'bg-warning', over: 'bg-destructive' };
const OVER_CAP: Record<NonNullable<Balance['over_cap']>, { title: string; body: string }> = {
  SPENDING_CAP: {
    title: 'Monthly spending cap reached',
    body: 'Billable calls (verifications, TEE tasks, agent queries) are refused with 402 until the next month or a plan with a higher cap.',
  },
  BALANCE_EXHAUSTED: {
    title: 'Prepaid balance used up',
    body: 'Billable calls (verifications, TEE tasks, agent queries) are refused with 402 until your operator records a deposit; they resume at once then.',
  },
};

/** A bar filled up to the limit (the numbers beside it say the rest; the bar is for the eye). */
function MeterBar({ value, label }: { value: Meter; label: string }) {
  return (
    <div aria-hidden="true" className="h-2 overflow-hidden rounded-full bg-muted" data-meter={label} data-state={value.state}>
      <div className={cn('h-full rounded-full', METER_TONE[value.state])} style={{ width: `${value.filled * 100}%` }} />
    </div>
  );
}

function PlanCard({ plan, now }: { plan: PartnerPlan; now: Date }) {
  const api = useApi();
  const from = countedFrom(now, plan.since);
  const usage = useQuery({
    queryKey: ['partner', 'usage', 'period', from.toISOString()],
    queryFn: () => unwrap(api.client.GET('/api/v1/usage', { params: { query: { granularity: 'month', from: from.toISOString() } } })),
    enabled: plan.plan !== null,
  });
  if (!plan.tier || !plan.plan) {
    return (
      <Card>
        <CardHeader>
          <CardTitle>Plan</CardTitle>
        </CardHeader>
        <CardContent>
          <EmptyState title="No plan yet">
            Your operator puts you on a plan (Starter, Pro or Enterprise). Until then nothing is billed and the default rate limit applies; your usage is on the{' '}
            <Link to="/overview" className="underline">
              Overview
            </Link>
            .
          </EmptyState>
        </CardContent>
      </Card>
    );
  }
  const terms = plan.plan.current;
  const currency = plan.plan.currency;
  const totals = totalsPerProduct(usage.data?.series ?? []);
  const rows = (Object.keys(PRODUCT_LABELS) as Product[]).map((product) => {
    const price = terms.products[product];
    const used = meter(totals[product] ?? 0, price.included_per_month);
    return { product, price, used, cost: used.overage * price.unit_price };
  });
  const overageCost = rows.reduce((sum, row) => sum + row.cost, 0);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Plan and usage this month</CardTitle>
        <CardDescription>
          Each month includes some outcomes per product; each one beyond is charged at the plan&apos;s price, up to the monthly spending cap. Usage counted since {formatDateTime(from.toISOString())};
          the daily chart is on the{' '}
          <Link to="/overview" className="underline">
            Overview
          </Link>
          .
        </CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <Figures
          className="grid-cols-2 lg:grid-cols-4"
          items={[
            ['Plan', `${TIER_LABELS[plan.tier]} (version ${terms.version})`],
            ['Rate limit', `${terms.rate_limit_per_minute} per minute`],
            ['Monthly spending cap', terms.monthly_spending_cap === null ? 'None' : formatMoney(terms.monthly_spending_cap, currency)],
            ['Beyond included so far', formatMoney(overageCost, currency)],
          ]}
        />
        {plan.next_tier && (
          <p className="text-sm" data-next-tier={plan.next_tier.tier}>
            From {formatDateTime(plan.next_tier.effective_from)} you are on <strong>{TIER_LABELS[plan.next_tier.tier]}</strong>.
          </p>
        )}
        <QueryState query={usage} what="this month's usage" empty={false}>
          <Table label="Usage against the plan's quotas">
            <THead>
              <Tr>
                <Th>Product</Th>
                <Th className="min-w-40">Used of included</Th>
                <Th className="text-right">Then each</Th>
                <Th className="text-right">Beyond included</Th>
              </Tr>
            </THead>
            <TBody>
              {rows.map(({ product, price, used, cost }) => (
                <Tr key={product} data-product={product}>
                  <Td className="font-medium">{PRODUCT_LABELS[product]}</Td>
                  <Td>
                    <p className="text-xs tabular-nums" data-usage={product}>
                      {used.used.toLocaleString()} of {price.included_per_month.toLocaleString()}
                      {used.overage > 0 && <span className="text-destructive"> · {used.overage.toLocaleString()} beyond</span>}
                    </p>
                    <MeterBar value={used} label={product} />
                  </Td>
                  <Td className="text-right tabular-nums">{formatMoney(price.unit_price, currency)}</Td>
                  <Td className="text-right tabular-nums">{formatMoney(cost, currency)}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </QueryState>
      </CardContent>
    </Card>
  );
}

/** Evidence taken in while out of credits waits (awaiting_credits): the partner should know, and why. */
function AwaitingCredits() {
  const api = useApi();
  const me = useQuery({ queryKey: ['partner', 'me'], queryFn: () => unwrap(api.client.GET('/api/v1/me')) });
  const waiting = useQuery({
    queryKey: ['partner', 'proofs', 'awaiting_credits', 'count'],
    queryFn: () => unwrap(api.client.GET('/api/v1/proofs', { params: { query: { status: 'awaiting_credits', limit: 100 } } })),
    // Only partners that submit evidence have any (and may list it).
    enabled: me.data?.scopes.includes('evidence') ?? false,
  });
  const count = waiting.data?.data.length ?? 0;
  if (count === 0) return null;
  return (
    <div className="grid grid-cols-1 gap-1 rounded-md border border-warning/50 p-3 text-sm" data-awaiting-credits={count}>
      <p className="font-medium text-warning">
        {waiting.data?.next_cursor ? `${count} or more submissions wait` : `${count} submission${count === 1 ? ' waits' : 's wait'}`} for credits
      </p>
      <p>
        Evidence submitted while you were out of credits is kept, not refused. Once your credits cover it (a deposit, the next month), it is verified in the order it arrived, within a billing
        cycle. See them on{' '}
        <Link to="/proofs" className="underline">
          Proofs
        </Link>{' '}
        (status awaiting credits).
      </p>
    </div>
  );
}

function BalanceCard() {
  const api = useApi();
  const balance = useQuery({ queryKey: ['partner', 'balance'], queryFn: () => unwrap(api.client.GET('/api/v1/billing/balance')) });
  const data = balance.data;
  const cap = data && data.monthly_spending_cap !== null ? meter(data.month_to_date_spend, data.monthly_spending_cap) : undefined;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Balance</CardTitle>
        <CardDescription>Deposits and refunds minus charges. Usage beyond your plan is charged every few minutes by the billing cycle: the spend is as of its last charge.</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <QueryState query={balance} what="your balance" empty={false}>
          {data && (
            <>
              <Figures
                className="grid-cols-2 lg:grid-cols-4"
                items={[
                  ['Balance', formatMoney(data.balance, data.currency)],
                  ['Billing', data.billing_mode === 'prepaid' ? 'Prepaid credits' : 'Invoiced'],
                  ['Spent this month', formatMoney(data.month_to_date_spend, data.currency)],
                  ['Cap', data.monthly_spending_cap === null ? 'None' : formatMoney(data.monthly_spending_cap, data.currency)],
                ]}
              />
              {cap && (
                <div className="grid grid-cols-1 gap-1">
                  <p className="text-xs text-muted-foreground">
                    {Math.round((cap.used / Math.max(1, cap.limit)) * 100)} % of the monthly spending cap (notices at 80 % and 100 %)
                  </p>
                  <MeterBar value={cap} label="spending-cap" />
                </div>
              )}
              {data.over_cap && (
                <div role="alert" className="grid grid-cols-1 gap-1 rounded-md border border-destructive/50 p-3 text-sm" data-over-cap={data.over_cap}>
                  <p className="font-medium text-destructive">{OVER_CAP[data.over_cap].title}</p>
                  <p>{OVER_CAP[data.over_cap].body}</p>
                </div>
              )}
            </>
          )}
        </QueryState>
        <AwaitingCredits />
      </CardContent>
    </Card>
  );
}

function TransactionsCard() {
  const api = useApi();
  const [kind, setKind] = useState<TransactionKind | 'all'>('all');
  const pages = useCursorPages();
  const transactions = useQuery({
    queryKey: ['partner', 'balance', 'transactions', kind, pages.cursor],
    queryFn: () =>
      unwrap(
        api.client.GET('/api/v1/billing/balance/transactions', {
          params: { query: { limit: PAGE_SIZE, ...(kind === 'all' ? {} : { kind }), ...(pages.cursor ? { cursor: pages.cursor } : {}) } },
        }),
      ),
  });
  const balance = useQuery({ queryKey: ['partner', 'balance'], queryFn: () => unwrap(api.client.GET('/api/v1/billing/balance')) });
  const currency = balance.data?.currency;
  const rows = transactions.data?.data ?? [];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Transactions</CardTitle>
        <CardDescription>Newest first, each with its effect on your balance.</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <div className="max-w-56">
          <FilterSelect
            label="Kind"
            value={kind}
            options={allOr(KINDS)}
            onChange={(value) => {
              setKind(value);
              pages.reset();
            }}
          />
        </div>
        <QueryState
          query={transactions}
          what="the transactions"
          empty={
            rows.length === 0 &&
            pages.page === 1 && (
              <StatusFilterEmptyState
                status={kind}
                noun="transactions"
                whatFillsIt="Deposits your operator records, charges for usage beyond your plan's included outcomes, refunds and adjustments appear here."
              />
            )
          }
        >
          <div>
            <Table label="Balance transactions">
              <THead>
                <Tr>
                  <Th>When</Th>
                  <Th>Kind</Th>
                  <Th className="text-right">Amount</Th>
                  <Th>Details</Th>
                </Tr>
              </THead>
              <TBody>
                {rows.map((row) => (
                  <Tr key={row.id} data-transaction={row.id} data-kind={row.kind}>
                    <Td className="text-xs whitespace-nowrap">{formatDateTime(row.created_at)}</Td>
                    <Td>
                      <Badge tone={KIND_TONE[row.kind]}>{row.kind}</Badge>
                    </Td>
                    <Td className={cn('text-right whitespace-nowrap tabular-nums', row.amount < 0 && 'text-destructive')} data-amount={row.amount}>
                      {currency ? formatMoney(row.amount, currency) : row.amount}
                    </Td>
                    <Td className="text-xs">
                      {row.period && <p>Usage of {formatMonth(row.period)}</p>}
                      {row.reason && <p>{row.reason}</p>}
                      {row.reference && <p className="text-muted-foreground">Reference: {row.reference}</p>}
                      <p className="font-mono text-muted-foreground">{row.id}</p>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
            <Pagination page={pages.page} hasNext={Boolean(transactions.data?.next_cursor)} onPage={(page) => pages.go(page, transactions.data?.next_cursor)} />
          </div>
        </QueryState>
      </CardContent>
    </Card>
  );
}

/** Usage, balance and invoices: the plan and this month's usage against it, the balance and its transactions, the monthly invoices. */
export function BillingPage() {
  const api = useApi();
  const plan = useQuery({ queryKey: ['partner', 'plan'], queryFn: () => unwrap(api.client.GET('/api/v1/billing/plan')) });
  // Read once per visit: the period is the UTC month of the page's opening.
  const [now] = useState(() => new Date());
  return (
    <>
      <PageHeader title="Billing" description="Your plan and this month's usage against it, your balance and its transactions, your monthly invoices." />
      <QueryState query={plan} what="your plan" empty={false}>
        {plan.data && <PlanCard plan={plan.data} now={now} />}
      </QueryState>
      <BalanceCard />
      <TransactionsCard />
      <InvoicesCard />
    </>
  );
}
