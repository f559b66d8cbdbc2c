import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card.tsx';
import { EmptyState } from '../../components/ui/empty-state.tsx';
import { Field, Select } from '../../components/ui/input.tsx';
import { ProblemAlert } from '../../components/ui/toast.tsx';
import { PRODUCT_LABELS, type Product } from './products.ts';
import { countsPerDay, UsageChart, windowStart } from './usage-chart.tsx';

const RANGES = [7, 30, 90] as const;

export function OverviewPage() {
  const api = useApi();
  const [days, setDays] = useState<(typeof RANGES)[number]>(30);
  const [product, setProduct] = useState<Product | 'all'>('all');
  const me = useQuery({ queryKey: ['partner', 'me'], queryFn: () => unwrap(api.client.GET('/api/v1/me')) });
  const from = windowStart(days, new Date());
  const usage = useQuery({
    queryKey: ['partner', 'usage', days, product],
    queryFn: () =>
      unwrap(api.client.GET('/api/v1/usage', { params: { query: { granularity: 'day', from: from.toISOString(), ...(product === 'all' ? {} : { product }) } } })),
  });
  const series = usage.data?.series ?? [];
  const perProduct = Object.entries(
    series.reduce<Record<string, number>>((totals, point) => ({ ...totals, [point.product]: (totals[point.product] ?? 0) + point.quantity }), {}),
  );

  return (
    <>
      <PageHeader title={me.data ? me.data.name : 'Overview'} description={me.data ? `Partner ${me.data.client_id} · scopes ${me.data.scopes.join(', ')} · ${me.data.rate_limit_per_minute} requests per minute` : undefined} />
      {me.isError && <ProblemAlert error={me.error} title="Could not load your account" />}
      <Card>
        <CardHeader>
          <CardTitle>Usage per day</CardTitle>
          <CardDescription>Billable outcomes, counted per UTC day.</CardDescription>
        </CardHeader>
        <CardContent className="grid grid-cols-1 gap-5">
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
            <Field label="Period">
              {(control) => (
                <Select {...control} value={days} onChange={(event) => setDays(Number(event.target.value) as (typeof RANGES)[number])}>
                  {RANGES.map((range) => (
                    <option key={range} value={range}>
                      Last {range} days
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label="Product">
              {(control) => (
                <Select {...control} value={product} onChange={(event) => setProduct(event.target.value as Product | 'all')}>
                  <option value="all">All products</option>
                  {Object.entries(PRODUCT_LABELS).map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </div>
          {usage.isError ? (
            <ProblemAlert error={usage.error} title="Could not load your usage" />
          ) : usage.isPending ? (
            <div className="h-48 animate-pulse rounded-md bg-muted" aria-busy="true" aria-label="Loading usage" />
          ) : (
            <>
              <UsageChart counts={countsPerDay(series, from, days)} label={product === 'all' ? 'Outcomes' : PRODUCT_LABELS[product]} />
              {perProduct.length === 0 ? (
                <EmptyState title="No usage in this period">
                  Verify a proof (<code>POST /api/v1/verify</code>) or submit a task (<code>POST /api/v1/tasks</code>) with your API key: each outcome is counted here.
                </EmptyState>
              ) : (
                <dl className="grid grid-cols-1 gap-3 sm:grid-cols-3">
                  {perProduct.map(([name, total]) => (
                    <div key={name} className="rounded-md border p-3">
                      <dt className="text-xs text-muted-foreground">{PRODUCT_LABELS[name as Product] ?? name}</dt>
                      <dd className="text-2xl font-semibold tabular-nums">{total}</dd>
                    </div>
                  ))}
                </dl>
              )}
            </>
          )}
        </CardContent>
      </Card>
    </>
  );
}
