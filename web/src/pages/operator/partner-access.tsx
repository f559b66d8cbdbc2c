import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { WALLET_CHAINS, type WalletChain } from '../../api/session.ts';
import { Button } from '../../components/ui/button.tsx';
import { Dialog } from '../../components/ui/dialog.tsx';
import { Field, Input, Select } from '../../components/ui/input.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { ProblemAlert, useToast } from '../../components/ui/toast.tsx';
import { formatDateTime } from '../../lib/format.ts';

type Partner = Schemas['ApiClient'];
type Assignment = Schemas['ClientPlanAssignment'];

const TIERS = { starter: 'Starter', pro: 'Pro', enterprise: 'Enterprise' } as const satisfies Record<Assignment['tier'], string>;
const CHAIN_LABELS = { ethereum: 'Ethereum', sui: 'Sui' } as const satisfies Record<WalletChain, string>;

function PlanSection({ partner }: { partner: Partner }) {
  const api = useApi();
  const [tier, setTier] = useState<Assignment['tier']>('starter');
  const [effective, setEffective] = useState<NonNullable<Assignment['effective']>>('next_period');
  const assign = useMutation({ mutationFn: (body: Assignment) => unwrap(api.client.PUT('/api/admin/clients/{id}/plan', { params: { path: { id: partner.id } }, body })) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    assign.mutate({ tier, effective });
  };
  return (
    <section aria-labelledby="plan-title" className="grid grid-cols-1 gap-3">
      <h3 id="plan-title" className="font-medium">
        Plan
      </h3>
      <form onSubmit={submit} className="grid grid-cols-1 items-end gap-3 sm:grid-cols-[1fr_1fr_auto]">
        <Field label="Tier">
          {(control) => (
            <Select {...control} value={tier} onChange={(event) => setTier(event.target.value as Assignment['tier'])}>
              {Object.entries(TIERS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="From">
          {(control) => (
            <Select {...control} value={effective} onChange={(event) => setEffective(event.target.value as NonNullable<Assignment['effective']>)}>
              <option value="next_period">The next billing period</option>
              <option value="now">Now</option>
            </Select>
          )}
        </Field>
        <Button type="submit" busy={assign.isPending}>
          Assign plan
        </Button>
      </form>
      {assign.error && <ProblemAlert error={assign.error} title="Could not assign the plan" />}
      {assign.data && (
        <p role="status" className="text-sm">
          {TIERS[assign.data.tier]} from {formatDateTime(assign.data.effective_from)}.
        </p>
      )}
    </section>
  );
}

function WalletsSection({ partner }: { partner: Partner }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const key = ['admin', 'partner-wallets', partner.id];
  const [chain, setChain] = useState<WalletChain>('ethereum');
  const [address, setAddress] = useState('');
  // Unlinking asks first: the button turns into a confirmation for that wallet.
  const [unlinking, setUnlinking] = useState<string | undefined>();
  const wallets = useQuery({ queryKey: key, queryFn: () => unwrap(api.client.GET('/api/admin/clients/{id}/wallets', { params: { path: { id: partner.id } } })) });
  const link = useMutation({
    mutationFn: () =>
      unwrap(api.client.POST('/api/admin/clients/{id}/wallets', { params: { path: { id: partner.id }, header: { 'idempotency-key': crypto.randomUUID() } }, body: { chain, address: address.trim() } })),
    onSuccess: async () => {
      setAddress('');
      await queryClient.invalidateQueries({ queryKey: key });
    },
  });
  const unlink = useMutation({
    mutationFn: (walletId: string) => unwrap(api.client.DELETE('/api/admin/clients/{id}/wallets/{wallet_id}', { params: { path: { id: partner.id, wallet_id: walletId } } })),
    onSuccess: async () => {
      setUnlinking(undefined);
      await queryClient.invalidateQueries({ queryKey: key });
    },
    onError: (error) => toast.problem(error, 'Could not unlink the wallet'),
  });
  const rows = wallets.data?.wallets ?? [];
  return (
    <section aria-labelledby="wallets-title" className="grid grid-cols-1 gap-3">
      <h3 id="wallets-title" className="font-medium">
        Wallets that sign in as {partner.name}
      </h3>
      <QueryState query={wallets} what="the wallets" empty={rows.length === 0 && <p className="text-sm text-muted-foreground">No wallet linked.</p>}>
        <ul className="grid grid-cols-1 gap-2">
          {rows.map((wallet) => (
            <li key={wallet.id} className="flex flex-wrap items-center justify-between gap-2 rounded-md border p-2 text-sm" data-wallet={wallet.address}>
              <span className="min-w-0 break-all">
                {CHAIN_LABELS[wallet.chain]} <code className="text-xs">{wallet.address}</code>
              </span>
              {unlinking === wallet.id ? (
                <span className="flex gap-2">
                  <Button variant="outline" size="sm" onClick={() => setUnlinking(undefined)}>
                    Keep
                  </Button>
                  <Button variant="destructive" size="sm" busy={unlink.isPending} onClick={() => unlink.mutate(wallet.id)}>
                    Confirm unlink
                  </Button>
                </span>
              ) : (
                <Button variant="outline" size="sm" aria-label={`Unlink ${wallet.address}`} onClick={() => setUnlinking(wallet.id)}>
                  Unlink
                </Button>
              )}
            </li>
          ))}
        </ul>
      </QueryState>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          link.mutate();
        }}
        className="grid grid-cols-1 items-end gap-3 sm:grid-cols-[8rem_1fr_auto]"
      >
        <Field label="Chain">
          {(control) => (
            <Select {...control} value={chain} onChange={(event) => setChain(event.target.value as WalletChain)}>
              {WALLET_CHAINS.map((value) => (
                <option key={value} value={value}>
                  {CHAIN_LABELS[value]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Address">{(control) => <Input {...control} required className="font-mono" value={address} onChange={(event) => setAddress(event.target.value)} />}</Field>
        <Button type="submit" busy={link.isPending}>
          Link wallet
        </Button>
      </form>
      {link.error && <ProblemAlert error={link.error} title="Could not link the wallet" />}
    </section>
  );
}

/** A partner's plan and the wallets that sign in as it. */
export function PartnerAccessDialog({ partner, onClose }: { partner: Partner | undefined; onClose: () => void }) {
  return (
    <Dialog open={partner !== undefined} onClose={onClose} title={`Plan and wallets of ${partner?.name ?? ''}`} footer={<Button onClick={onClose}>Done</Button>}>
      {partner && (
        <div className="grid grid-cols-1 gap-6">
          <PlanSection partner={partner} />
          <WalletsSection partner={partner} />
        </div>
      )}
    </Dialog>
  );
}
