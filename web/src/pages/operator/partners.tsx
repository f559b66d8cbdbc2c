import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Badge } from '../../components/ui/badge.tsx';
import { Button } from '../../components/ui/button.tsx';
import { Card, CardContent } from '../../components/ui/card.tsx';
import { SecretReveal } from '../../components/ui/copy.tsx';
import { ConfirmDialog, Dialog } from '../../components/ui/dialog.tsx';
import { EmptyState } from '../../components/ui/empty-state.tsx';
import { Field, SearchFilter, Select } from '../../components/ui/input.tsx';
import { NameCell, pageOf, Pagination, Table, TableHead, TBody, Td, Tr, useListFilter } from '../../components/ui/table.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { ProblemAlert, useToast } from '../../components/ui/toast.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { PartnerAccessDialog } from './partner-access.tsx';
import { PartnerFields, toCreateBody, toForm, toUpdateBody, type PartnerForm } from './partner-form.tsx';
import { PartnerBalanceDialog } from './partner-balance.tsx';

type Partner = Schemas['ApiClient'];
type PartnerWithSecrets = Schemas['ApiClientWithSecrets'];
type StatusFilter = 'active' | 'disabled' | 'all';

const PAGE_SIZE = 10;
const PARTNERS_KEY = ['admin', 'partners'] as const;

export function matchesFilter(partner: Partner, text: string, status: StatusFilter): boolean {
  if (status === 'active' && partner.disabled_at) return false;
  if (status === 'disabled' && !partner.disabled_at) return false;
  const needle = text.trim().toLowerCase();
  return needle === '' || [partner.name, partner.id, partner.key_prefix].some((value) => value.toLowerCase().includes(needle));
}

/** Shows the secrets of a response that carries them (created, or key rotated), once. */
function Secrets({ partner }: { partner: PartnerWithSecrets }) {
  return (
    <div className="grid grid-cols-1 gap-3">
      {partner.api_key && <SecretReveal label={`API key of ${partner.name}`} value={partner.api_key} />}
      {partner.webhook_secret && <SecretReveal label="Webhook signing secret" value={partner.webhook_secret} />}
    </div>
  );
}

function CreatePartnerDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  // One key per opened dialog: a submit repeated after a lost answer replays it instead of creating a twin.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const create = useMutation({
    mutationFn: (body: Schemas['ApiClientCreate']) => unwrap(api.client.POST('/api/admin/clients', { body, params: { header: { 'idempotency-key': idempotencyKey } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: PARTNERS_KEY }),
  });
  const close = () => {
    create.reset();
    setIdempotencyKey(crypto.randomUUID());
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title={create.data ? 'Partner created' : 'New partner'} description={create.data ? undefined : 'The partner gets an API key, shown once when it is created.'}>
      {create.data ? (
        <div className="grid grid-cols-1 gap-4">
          <Secrets partner={create.data} />
          <div className="flex justify-end">
            <Button onClick={close}>Done</Button>
          </div>
        </div>
      ) : (
        <div className="grid grid-cols-1 gap-4">
          {create.error && <ProblemAlert error={create.error} title="Could not create the partner" />}
          <PartnerFields label="New partner" submitLabel="Create partner" busy={create.isPending} onSubmit={(form) => create.mutate(toCreateBody(form))} onCancel={close} />
        </div>
      )}
    </Dialog>
  );
}

/** Name, scopes, webhook URL and rate limit of a partner; only what changed is sent. */
function EditPartnerDialog({ partner, onClose }: { partner: Partner | undefined; onClose: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [unchanged, setUnchanged] = useState(false);
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Schemas['ApiClientUpdate'] }) => unwrap(api.client.PATCH('/api/admin/clients/{id}', { params: { path: { id } }, body })),
    onSuccess: async (changed) => {
      await queryClient.invalidateQueries({ queryKey: PARTNERS_KEY });
      // A first webhook URL comes with its secret, shown here once; otherwise the dialog is done.
      if (!changed.webhook_secret) {
        toast.success(`${changed.name} is updated`);
        close();
      }
    },
  });
  const close = () => {
    update.reset();
    setUnchanged(false);
    onClose();
  };
  const submit = (form: PartnerForm) => {
    const body = partner && toUpdateBody(form, partner);
    setUnchanged(body === undefined);
    if (partner && body) update.mutate({ id: partner.id, body });
  };
  return (
    <Dialog open={partner !== undefined} onClose={close} title={update.data ? 'Webhook secret' : `Edit ${partner?.name ?? ''}`}>
      {update.data ? (
        <div className="grid grid-cols-1 gap-4">
          <Secrets partner={update.data} />
          <div className="flex justify-end">
            <Button onClick={close}>Done</Button>
          </div>
        </div>
      ) : (
        partner && (
          <div className="grid grid-cols-1 gap-4">
            {update.error && <ProblemAlert error={update.error} title="Could not update the partner" />}
            {unchanged && <p className="text-sm text-muted-foreground">Nothing changed yet.</p>}
            <PartnerFields key={partner.id} label={`Edit ${partner.name}`} submitLabel="Save changes" initial={toForm(partner)} busy={update.isPending} onSubmit={submit} onCancel={close} />
          </div>
        )
      )}
    </Dialog>
  );
}

type PendingAction = { kind: 'disable' | 'rotate'; partner: Partner };

function PartnerActions(props: { partner: Partner; onAction: (action: PendingAction) => void; onManage: () => void; onEdit: () => void; onBalance: () => void }) {
  const { partner, onAction, onManage, onEdit, onBalance } = props;
  if (partner.disabled_at) return <span className="text-sm text-muted-foreground">—</span>;
  return (
    <div className="flex gap-2">
      <Button variant="outline" size="sm" onClick={onEdit} aria-label={`Edit ${partner.name}`}>
        Edit
      </Button>
      <Button variant="outline" size="sm" onClick={onManage} aria-label={`Plan and wallets of ${partner.name}`}>
        Plan and wallets
      </Button>
      <Button variant="outline" size="sm" onClick={onBalance} aria-label={`Balance of ${partner.name}`}>
        Balance
      </Button>
      <Button variant="outline" size="sm" onClick={() => onAction({ kind: 'rotate', partner })} aria-label={`Rotate key of ${partner.name}`}>
        Rotate key
      </Button>
      <Button variant="outline" size="sm" className="text-destructive" onClick={() => onAction({ kind: 'disable', partner })} aria-label={`Disable ${partner.name}`}>
        Disable
      </Button>
    </div>
  );
}

export function PartnersPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const { filter, change, page, setPage } = useListFilter<{ text: string; status: StatusFilter }>({ text: '', status: 'active' });
  const { text, status } = filter;
  const [pending, setPending] = useState<PendingAction | undefined>();
  const [rotated, setRotated] = useState<PartnerWithSecrets | undefined>();
  const [managing, setManaging] = useState<Partner | undefined>();
  const [editing, setEditing] = useState<Partner | undefined>();
  const [balanceOf, setBalanceOf] = useState<Partner | undefined>();
  const partners = useQuery({ queryKey: PARTNERS_KEY, queryFn: () => unwrap(api.client.GET('/api/admin/clients')) });

  const act = useMutation({
    mutationFn: async ({ kind, partner }: PendingAction) => {
      const params = { path: { id: partner.id } };
      if (kind === 'disable') return { kind, partner: await unwrap(api.client.DELETE('/api/admin/clients/{id}', { params })) };
      return { kind, partner: await unwrap(api.client.POST('/api/admin/clients/{id}/rotate-key', { params: { ...params, header: { 'idempotency-key': crypto.randomUUID() } } })) };
    },
    onSuccess: async ({ kind, partner }) => {
      setPending(undefined);
      if (kind === 'rotate') setRotated(partner);
      else toast.success(`${partner.name} is disabled`, 'Its API key answers 401 from now on.');
      await queryClient.invalidateQueries({ queryKey: PARTNERS_KEY });
    },
    onError: (error, { kind }) => {
      setPending(undefined);
      toast.problem(error, kind === 'rotate' ? 'Could not rotate the key' : 'Could not disable the partner');
    },
  });

  const all = partners.data ?? [];
  const filtered = all.filter((partner) => matchesFilter(partner, text, status));
  const shown = pageOf(filtered, page, PAGE_SIZE);
  const newPartner = <Button onClick={() => setCreating(true)}>New partner</Button>;

  return (
    <>
      <PageHeader title="Partners" description="Relying parties that call the API with their own key and scopes." actions={newPartner} />
      <Card>
        <CardContent className="grid grid-cols-1 gap-4 pt-5">
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-[1fr_12rem]">
            <SearchFilter label="Filter" placeholder="Name, id or key prefix" value={text} onChange={(text) => change({ text })} />
            <Field label="Status">
              {(control) => (
                <Select
                  {...control}
                  value={status}
                  onChange={(event) => change({ status: event.target.value as StatusFilter })}
                >
                  <option value="active">Active</option>
                  <option value="disabled">Disabled</option>
                  <option value="all">All</option>
                </Select>
              )}
            </Field>
          </div>
          <QueryState
            query={partners}
            what="the partners"
            empty={
              all.length === 0 ? (
                <EmptyState title="No partners yet" action={newPartner}>
                  Create a partner to give a relying party an API key; choose the claims it may verify with its scopes.
                </EmptyState>
              ) : (
                filtered.length === 0 && <EmptyState title="No partner matches">Change the filter or the status to see more partners.</EmptyState>
              )
            }
          >
            <div>
              <Table label="Partners">
                <TableHead columns={['Name', 'Scopes', 'Key', 'Last used', 'Status']} actions="Actions" />
                <TBody>
                  {shown.rows.map((partner) => (
                    <Tr key={partner.id}>
                      <NameCell name={partner.name} id={partner.id} />
                      <Td className="max-w-64 text-xs">{partner.scopes.join(', ')}</Td>
                      <Td className="font-mono text-xs whitespace-nowrap">{partner.key_prefix}…</Td>
                      <Td className="text-xs whitespace-nowrap">{partner.last_used ? formatDateTime(partner.last_used) : 'never'}</Td>
                      <Td>{partner.disabled_at ? <Badge tone="danger">disabled</Badge> : <Badge tone="success">active</Badge>}</Td>
                      <Td>
                        <PartnerActions partner={partner} onAction={setPending} onManage={() => setManaging(partner)} onEdit={() => setEditing(partner)} onBalance={() => setBalanceOf(partner)} />
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
              <Pagination page={shown.page} pages={shown.pages} hasNext={shown.page < shown.pages} onPage={setPage} summary={`${filtered.length} partner${filtered.length === 1 ? '' : 's'} · page ${shown.page} of ${shown.pages}`} />
            </div>
          </QueryState>
        </CardContent>
      </Card>
      <CreatePartnerDialog open={creating} onClose={() => setCreating(false)} />
      <PartnerAccessDialog partner={managing} onClose={() => setManaging(undefined)} />
      <EditPartnerDialog partner={editing} onClose={() => setEditing(undefined)} />
      <PartnerBalanceDialog partner={balanceOf} onClose={() => setBalanceOf(undefined)} />
      <ConfirmDialog
        open={pending !== undefined}
        title={pending?.kind === 'rotate' ? `Rotate the API key of ${pending.partner.name}?` : `Disable ${pending?.partner.name ?? ''}?`}
        description={
          pending?.kind === 'rotate'
            ? 'A new key is issued and shown once. The current key, and every access token issued with it, stops working at once.'
            : 'Its API key and access tokens answer 401 from now on. The partner and its history are kept.'
        }
        confirmLabel={pending?.kind === 'rotate' ? 'Rotate key' : 'Disable partner'}
        destructive
        busy={act.isPending}
        onConfirm={() => pending && act.mutate(pending)}
        onCancel={() => setPending(undefined)}
      />
      <Dialog open={rotated !== undefined} onClose={() => setRotated(undefined)} title="New API key" footer={<Button onClick={() => setRotated(undefined)}>Done</Button>}>
        {rotated && <Secrets partner={rotated} />}
      </Dialog>
    </>
  );
}
