import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { Button } from '../../components/ui/button.tsx';
import { Dialog } from '../../components/ui/dialog.tsx';
import { Figures } from '../../components/ui/figures.tsx';
import { Field, Input, Select } from '../../components/ui/input.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { ProblemAlert } from '../../components/ui/toast.tsx';
import { formatMoney, parseMoney } from '../../lib/format.ts';

type Partner = Schemas['ApiClient'];
type Balance = Schemas['Balance'];
type BillingMode = Balance['billing_mode'];
export type PostingKind = 'deposit' | 'refund' | 'adjustment';

const MODE_LABELS = { invoice: 'Invoiced', prepaid: 'Prepaid credits' } as const satisfies Record<BillingMode, string>;
const KIND_LABELS = { deposit: 'Deposit (money received)', refund: 'Refund (of charges)', adjustment: 'Adjustment (either way)' } as const satisfies Record<PostingKind, string>;

/** The posting form as typed: the amount in major units of the currency, a reason where the API needs one. */
export function postingFormSchema(currency: string) {
  return z
    .object({
      kind: z.enum(['deposit', 'refund', 'adjustment']),
      amount: z.string(),
      reason: z.string().trim().max(500, 'At most 500 characters'),
      reference: z.string().trim().max(200, 'At most 200 characters'),
    })
    .superRefine((form, context) => {
      const minor = parseMoney(form.amount, currency);
      if (minor === undefined) context.addIssue({ code: 'custom', path: ['amount'], message: `An amount in ${currency}, like 10.00` });
      else if (form.kind === 'adjustment' ? minor === 0 : minor <= 0) {
        context.addIssue({ code: 'custom', path: ['amount'], message: form.kind === 'adjustment' ? 'Not zero: negative takes from the balance' : 'More than zero' });
      }
      if (form.kind !== 'deposit' && form.reason === '') context.addIssue({ code: 'custom', path: ['reason'], message: 'Say why: the partner sees it with the transaction' });
    });
}
export type PostingForm = z.infer<ReturnType<typeof postingFormSchema>>;

/** The API body of a valid form: minor units, the reason only where it is taken. */
export function toPosting(form: PostingForm, currency: string): { kind: PostingKind; amount: number; reason?: string; reference?: string } {
  return {
    kind: form.kind,
    amount: parseMoney(form.amount, currency)!,
    ...(form.kind !== 'deposit' ? { reason: form.reason } : {}),
    ...(form.reference ? { reference: form.reference } : {}),
  };
}

function BillingModeSection({ partner, balance, queryKey }: { partner: Partner; balance: Balance; queryKey: readonly unknown[] }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const other: BillingMode = balance.billing_mode === 'prepaid' ? 'invoice' : 'prepaid';
  const change = useMutation({
    mutationFn: () => unwrap(api.client.PUT('/api/admin/clients/{id}/billing-mode', { params: { path: { id: partner.id } }, body: { billing_mode: other } })),
    onSuccess: (updated) => {
      setConfirming(false);
      queryClient.setQueryData(queryKey, updated);
    },
  });
  return (
    <section aria-labelledby="billing-mode-title" className="grid grid-cols-1 gap-2">
      <h3 id="billing-mode-title" className="font-medium">
        Billing mode
      </h3>
      <p className="text-sm text-muted-foreground">
        {other === 'prepaid'
          ? 'Prepaid: billable calls are refused (402) once the balance is used up, until a deposit.'
          : 'Invoiced: usage is charged and invoiced; only the plan’s spending cap stops billable calls.'}
      </p>
      {confirming ? (
        <div className="flex flex-wrap gap-2">
          <Button variant="outline" size="sm" onClick={() => setConfirming(false)}>
            Keep {MODE_LABELS[balance.billing_mode].toLowerCase()}
          </Button>
          <Button size="sm" busy={change.isPending} onClick={() => change.mutate()}>
            Confirm: switch to {MODE_LABELS[other].toLowerCase()}
          </Button>
        </div>
      ) : (
        <div>
          <Button variant="outline" size="sm" onClick={() => setConfirming(true)}>
            Switch to {MODE_LABELS[other].toLowerCase()}
          </Button>
        </div>
      )}
      {change.error && <ProblemAlert error={change.error} title="Could not change the billing mode" />}
    </section>
  );
}

function PostingSection({ partner, currency, queryKey }: { partner: Partner; currency: string; queryKey: readonly unknown[] }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const schema = useMemo(() => postingFormSchema(currency), [currency]);
  const { register, handleSubmit, formState, watch, reset } = useForm<PostingForm>({ resolver: zodResolver(schema), defaultValues: { kind: 'deposit', amount: '', reason: '', reference: '' } });
  // Checked, then confirmed: the ledger keeps every posting (a mistake is corrected with an adjustment, never deleted).
  const [pending, setPending] = useState<ReturnType<typeof toPosting> | undefined>();
  // One key per posting checked: confirming it again after a lost answer posts it once; another posting gets its own.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const post = useMutation({
    mutationFn: ({ kind, ...body }: ReturnType<typeof toPosting>) => {
      const params = { path: { id: partner.id }, header: { 'idempotency-key': idempotencyKey } };
      if (kind === 'deposit') return unwrap(api.client.POST('/api/admin/clients/{id}/balance/deposits', { params, body }));
      if (kind === 'refund') return unwrap(api.client.POST('/api/admin/clients/{id}/balance/refunds', { params, body: { ...body, reason: body.reason! } }));
      return unwrap(api.client.POST('/api/admin/clients/{id}/balance/adjustments', { params, body: { ...body, reason: body.reason! } }));
    },
    onSuccess: async () => {
      setPending(undefined);
      reset();
      await queryClient.invalidateQueries({ queryKey });
    },
  });
  const kind = watch('kind');
  const errors = formState.errors;
  return (
    <section aria-labelledby="posting-title" className="grid grid-cols-1 gap-3">
      <h3 id="posting-title" className="font-medium">
        Record a transaction
      </h3>
      <form
        noValidate
        aria-label="Record a transaction"
        className="grid grid-cols-1 gap-3 sm:grid-cols-2"
        onSubmit={handleSubmit((form) => {
          post.reset();
          setIdempotencyKey(crypto.randomUUID());
          setPending(toPosting(form, currency));
        })}
      >
        <Field label="Kind">
          {(control) => (
            <Select {...control} {...register('kind')} disabled={pending !== undefined}>
              {Object.entries(KIND_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label={`Amount (${currency})`} hint={kind === 'adjustment' ? 'Negative takes from the balance' : undefined} error={errors.amount?.message}>
          {(control) => <Input {...control} {...register('amount')} inputMode="decimal" autoComplete="off" readOnly={pending !== undefined} />}
        </Field>
        {kind !== 'deposit' && (
          <Field label="Reason" hint="Shown to the partner with the transaction" error={errors.reason?.message}>
            {(control) => <Input {...control} {...register('reason')} autoComplete="off" readOnly={pending !== undefined} />}
          </Field>
        )}
        <Field label="Reference (optional)" hint="A bank transfer, receipt or credit note" error={errors.reference?.message}>
          {(control) => <Input {...control} {...register('reference')} autoComplete="off" readOnly={pending !== undefined} />}
        </Field>
        <div className="sm:col-span-2">
          {pending ? (
            <div className="grid grid-cols-1 gap-2 rounded-md border p-3 text-sm" data-confirm-posting={pending.kind}>
              <p>
                Record a {pending.kind} of <strong>{formatMoney(pending.amount, currency)}</strong> for {partner.name}? It is posted to the ledger for good: a mistake is corrected with an adjustment.
              </p>
              <div className="flex flex-wrap gap-2">
                <Button variant="outline" size="sm" onClick={() => setPending(undefined)} disabled={post.isPending}>
                  Change
                </Button>
                <Button size="sm" busy={post.isPending} onClick={() => post.mutate(pending)}>
                  Confirm {pending.kind}
                </Button>
              </div>
            </div>
          ) : (
            <Button type="submit">Record {kind}</Button>
          )}
        </div>
      </form>
      {post.error && <ProblemAlert error={post.error} title={`Could not record the ${post.variables?.kind ?? 'transaction'}`} />}
      {post.data && (
        <p role="status" className="text-sm">
          Recorded ({post.data.transaction_id}): the balance is now {formatMoney(post.data.balance, currency)}.
        </p>
      )}
    </section>
  );
}

/** A partner's balance: what it stands at, deposits, refunds and adjustments, and its billing mode. */
export function PartnerBalanceDialog({ partner, onClose }: { partner: Partner | undefined; onClose: () => void }) {
  const api = useApi();
  const queryKey = ['admin', 'partner-balance', partner?.id] as const;
  const balance = useQuery({
    queryKey,
    queryFn: () => unwrap(api.client.GET('/api/admin/clients/{id}/balance', { params: { path: { id: partner!.id } } })),
    enabled: partner !== undefined,
  });
  const data = balance.data;
  return (
    <Dialog open={partner !== undefined} onClose={onClose} title={`Balance of ${partner?.name ?? ''}`} footer={<Button onClick={onClose}>Done</Button>}>
      {partner && (
        <QueryState query={balance} what="the balance" empty={false}>
          {data && (
            <div className="grid grid-cols-1 gap-6">
              <Figures
                className="grid-cols-2"
                items={[
                  ['Balance', formatMoney(data.balance, data.currency)],
                  ['Billing', MODE_LABELS[data.billing_mode]],
                  ['Spent this month', formatMoney(data.month_to_date_spend, data.currency)],
                  ['Billable calls', data.over_cap === null ? 'Served' : data.over_cap === 'SPENDING_CAP' ? 'Refused: cap reached' : 'Refused: balance used up'],
                ]}
              />
              <PostingSection partner={partner} currency={data.currency} queryKey={queryKey} />
              <BillingModeSection partner={partner} balance={data} queryKey={queryKey} />
            </div>
          )}
        </QueryState>
      )}
    </Dialog>
  );
}
