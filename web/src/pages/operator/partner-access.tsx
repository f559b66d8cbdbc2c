import { useMutation, useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
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
import { consoleConfigQuery } from '../../session-query.ts';

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

/** One way of signing in as the partner, as the section lists it; `name` says which (an address, an e-mail). */
type Linked = { id: string; name: string; label: ReactNode };

/**
 * What signs in as the partner besides its key (wallets, OIDC identities): the list, each unlinked
 * after a confirmation (its sessions end), and the form that links one more.
 */
function LinkedSignInsSection(props: {
  id: string;
  title: string;
  what: string;
  query: UseQueryResult<Linked[]>;
  queryKey: unknown[];
  /** The list item's data attribute naming the row (`data-wallet`), for tests and styles alike. */
  dataAttribute: `data-${string}`;
  unlink: (id: string) => Promise<unknown>;
  onLink: () => Promise<unknown>;
  linkLabel: string;
  linkError: string;
  /** The form's fields, in a grid whose columns `fieldColumns` gives (the button is the last column). */
  fields: ReactNode;
  fieldColumns: string;
}) {
  const queryClient = useQueryClient();
  const toast = useToast();
  // Unlinking asks first: the button turns into a confirmation for that row.
  const [unlinking, setUnlinking] = useState<string | undefined>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: props.queryKey });
  const link = useMutation({ mutationFn: props.onLink, onSuccess: refresh });
  const unlink = useMutation({
    mutationFn: props.unlink,
    onSuccess: async () => {
      setUnlinking(undefined);
      await refresh();
    },
    onError: (error) => toast.problem(error, `Could not unlink the ${props.what}`),
  });
  const rows = props.query.data ?? [];
  return (
    <section aria-labelledby={`${props.id}-title`} className="grid grid-cols-1 gap-3">
      <h3 id={`${props.id}-title`} className="font-medium">
        {props.title}
      </h3>
      <QueryState query={props.query} what={`the ${props.what}s`} empty={rows.length === 0 && <p className="text-sm text-muted-foreground">No {props.what} linked.</p>}>
        <ul className="grid grid-cols-1 gap-2">
          {rows.map((row) => (
            <li key={row.id} className="flex flex-wrap items-center justify-between gap-2 rounded-md border p-2 text-sm" {...{ [props.dataAttribute]: row.name }}>
              <span className="min-w-0 break-all">{row.label}</span>
              {unlinking === row.id ? (
                <span className="flex gap-2">
                  <Button variant="outline" size="sm" onClick={() => setUnlinking(undefined)}>
                    Keep
                  </Button>
                  <Button variant="destructive" size="sm" busy={unlink.isPending} onClick={() => unlink.mutate(row.id)}>
                    Confirm unlink
                  </Button>
                </span>
              ) : (
                <Button variant="outline" size="sm" aria-label={`Unlink ${row.name}`} onClick={() => setUnlinking(row.id)}>
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
        className={`grid grid-cols-1 items-end gap-3 ${props.fieldColumns}`}
      >
        {props.fields}
        <Button type="submit" busy={link.isPending}>
          {props.linkLabel}
        </Button>
      </form>
      {link.error && <ProblemAlert error={link.error} title={props.linkError} />}
    </section>
  );
}

function WalletsSection({ partner }: { partner: Partner }) {
  const api = useApi();
  const queryKey = ['admin', 'partner-wallets', partner.id];
  const [chain, setChain] = useState<WalletChain>('ethereum');
  const [address, setAddress] = useState('');
  const wallets = useQuery({
    queryKey,
    queryFn: async (): Promise<Linked[]> =>
      (await unwrap(api.client.GET('/api/admin/clients/{id}/wallets', { params: { path: { id: partner.id } } }))).wallets.map((wallet) => ({
        id: wallet.id,
        name: wallet.address,
        label: (
          <>
            {CHAIN_LABELS[wallet.chain]} <code className="text-xs">{wallet.address}</code>
          </>
        ),
      })),
  });
  return (
    <LinkedSignInsSection
      id="wallets"
      title={`Wallets that sign in as ${partner.name}`}
      what="wallet"
      query={wallets}
      queryKey={queryKey}
      dataAttribute="data-wallet"
      unlink={(walletId) => unwrap(api.client.DELETE('/api/admin/clients/{id}/wallets/{wallet_id}', { params: { path: { id: partner.id, wallet_id: walletId } } }))}
      onLink={async () => {
        await unwrap(api.client.POST('/api/admin/clients/{id}/wallets', { params: { path: { id: partner.id }, header: { 'idempotency-key': crypto.randomUUID() } }, body: { chain, address: address.trim() } }));
        setAddress('');
      }}
      linkLabel="Link wallet"
      linkError="Could not link the wallet"
      fieldColumns="sm:grid-cols-[8rem_1fr_auto]"
      fields={
        <>
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
        </>
      }
    />
  );
}

const OIDC_MATCHES = { email: 'Verified e-mail', subject: 'Subject (sub)' } as const;

/** Identities of the operator's OpenID provider that sign in as the partner (shown when single sign-on is configured). */
function OidcUsersSection({ partner }: { partner: Partner }) {
  const api = useApi();
  const queryKey = ['admin', 'partner-oidc-users', partner.id];
  const [match, setMatch] = useState<keyof typeof OIDC_MATCHES>('email');
  const [value, setValue] = useState('');
  const users = useQuery({
    queryKey,
    queryFn: async (): Promise<Linked[]> =>
      (await unwrap(api.client.GET('/api/admin/clients/{id}/oidc-users', { params: { path: { id: partner.id } } }))).oidc_users.map((user) => {
        const name = user.email ?? user.subject ?? user.id;
        return {
          id: user.id,
          name,
          label: (
            <>
              {user.email ? 'E-mail' : 'Subject'} <code className="text-xs">{name}</code> <span className="text-xs text-muted-foreground">at {user.issuer}</span>
            </>
          ),
        };
      }),
  });
  return (
    <LinkedSignInsSection
      id="oidc-users"
      title={`Single sign-on identities that sign in as ${partner.name}`}
      what="identity"
      query={users}
      queryKey={queryKey}
      dataAttribute="data-oidc-user"
      unlink={(userId) => unwrap(api.client.DELETE('/api/admin/clients/{id}/oidc-users/{oidc_user_id}', { params: { path: { id: partner.id, oidc_user_id: userId } } }))}
      onLink={async () => {
        const trimmed = value.trim();
        await unwrap(
          api.client.POST('/api/admin/clients/{id}/oidc-users', {
            params: { path: { id: partner.id }, header: { 'idempotency-key': crypto.randomUUID() } },
            body: match === 'email' ? { email: trimmed } : { subject: trimmed },
          }),
        );
        setValue('');
      }}
      linkLabel="Link identity"
      linkError="Could not link the identity"
      fieldColumns="sm:grid-cols-[10rem_1fr_auto]"
      fields={
        <>
          <Field label="Match by">
            {(control) => (
              <Select {...control} value={match} onChange={(event) => setMatch(event.target.value as keyof typeof OIDC_MATCHES)}>
                {Object.entries(OIDC_MATCHES).map(([key, label]) => (
                  <option key={key} value={key}>
                    {label}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label={match === 'email' ? 'E-mail' : 'Subject'}>
            {(control) => <Input {...control} required type={match === 'email' ? 'email' : 'text'} value={value} onChange={(event) => setValue(event.target.value)} />}
          </Field>
        </>
      }
    />
  );
}

/** A partner's plan, and the wallets and single sign-on identities that sign in as it. */
export function PartnerAccessDialog({ partner, onClose }: { partner: Partner | undefined; onClose: () => void }) {
  const config = useQuery(consoleConfigQuery(useApi()));
  return (
    <Dialog open={partner !== undefined} onClose={onClose} title={`Plan and wallets of ${partner?.name ?? ''}`} footer={<Button onClick={onClose}>Done</Button>}>
      {partner && (
        <div className="grid grid-cols-1 gap-6">
          <PlanSection partner={partner} />
          <WalletsSection partner={partner} />
          {config.data?.oidc && <OidcUsersSection partner={partner} />}
        </div>
      )}
    </Dialog>
  );
}
