import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Badge } from '../../components/ui/badge.tsx';
import { Button } from '../../components/ui/button.tsx';
import { Card, CardContent } from '../../components/ui/card.tsx';
import { SecretReveal } from '../../components/ui/copy.tsx';
import { ConfirmDialog, Dialog } from '../../components/ui/dialog.tsx';
import { StatusFilterEmptyState } from '../../components/ui/empty-state.tsx';
import { allOr, Field, FilterSelect, Input, Select } from '../../components/ui/input.tsx';
import { NameCell, Pagination, Table, TableHead, TBody, Td, Tr } from '../../components/ui/table.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { ProblemAlert, useToast } from '../../components/ui/toast.tsx';
import { formatDateTime, sentenceCase } from '../../lib/format.ts';
import { useCursorPages } from '../../lib/cursor-pages.ts';

type ApiKey = Schemas['ApiKey'];
type KeyStatus = ApiKey['status'];

const PAGE_SIZE = 10;
const KEYS_KEY = ['partner', 'api-keys'] as const;
const STATUS_TONE = { active: 'success', expiring: 'warning', expired: 'neutral', disabled: 'danger' } as const satisfies Record<KeyStatus, string>;
const KEY_STATUSES = Object.keys(STATUS_TONE) as KeyStatus[];
/** The grace periods offered for a rotation (the API takes any number of seconds up to 7 days). */
const GRACE_CHOICES = [
  { seconds: 0, label: 'None: the old key stops at once' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 604_800, label: '7 days' },
] as const;
const SHOWN_ONCE = 'Shown this once: only its hash is kept. Store it now, in the system that will use it.';

/** A new key (or a rotated one), shown once with Copy. */
function NewKey({ apiKey, note }: { apiKey: Schemas['ApiKeyWithSecret']; note?: string }) {
  return <SecretReveal label={`API key “${apiKey.name}”`} value={apiKey.api_key} note={note ?? SHOWN_ONCE} />;
}

function CreateKeyDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  // One key per opened dialog: a submit repeated after a lost answer replays it instead of creating a twin.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const create = useMutation({
    mutationFn: (keyName: string) => unwrap(api.client.POST('/api/v1/keys', { body: { name: keyName }, params: { header: { 'idempotency-key': idempotencyKey } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: KEYS_KEY }),
  });
  const close = () => {
    create.reset();
    setName('');
    setIdempotencyKey(crypto.randomUUID());
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(name);
  };
  return (
    <Dialog open={open} onClose={close} title={create.data ? 'API key created' : 'New API key'} description={create.data ? undefined : 'It has your scopes and rate limit. The key is shown once, when it is created.'}>
      {create.data ? (
        <div className="grid grid-cols-1 gap-4">
          <NewKey apiKey={create.data} />
          <div className="flex justify-end">
            <Button onClick={close}>Done</Button>
          </div>
        </div>
      ) : (
        <form className="grid grid-cols-1 gap-4" onSubmit={submit}>
          {create.error && <ProblemAlert error={create.error} title="Could not create the key" />}
          <Field label="Name" hint="What the key is for, e.g. the system that holds it.">
            {(control) => <Input {...control} required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} autoFocus />}
          </Field>
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="outline" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" busy={create.isPending} disabled={name.trim() === ''}>
              Create key
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

function RotateKeyDialog({ apiKey, onClose }: { apiKey: ApiKey | undefined; onClose: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [grace, setGrace] = useState<number>(86_400);
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const rotate = useMutation({
    mutationFn: ({ id, seconds }: { id: string; seconds: number }) =>
      unwrap(api.client.POST('/api/v1/keys/{id}/rotate', { body: { grace_period_seconds: seconds }, params: { path: { id }, header: { 'idempotency-key': idempotencyKey } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: KEYS_KEY }),
  });
  const close = () => {
    rotate.reset();
    setGrace(86_400);
    setIdempotencyKey(crypto.randomUUID());
    onClose();
  };
  const rotated = rotate.data;
  return (
    <Dialog
      open={apiKey !== undefined}
      onClose={close}
      title={rotated ? 'Key rotated' : `Rotate “${apiKey?.name ?? ''}”?`}
      description={rotated ? undefined : 'A new key of the same name is issued and shown once. Choose how long the old key (and the tokens and console sessions it opened) keeps working, so the systems holding it can switch.'}
    >
      {rotated ? (
        <div className="grid grid-cols-1 gap-4">
          <NewKey
            apiKey={rotated}
            note={
              rotated.replaced_key.status === 'expiring'
                ? `${SHOWN_ONCE} The old key (${rotated.replaced_key.key_prefix}…) works until ${formatDateTime(rotated.replaced_key.expires_at!)}.`
                : `${SHOWN_ONCE} The old key (${rotated.replaced_key.key_prefix}…) no longer works.`
            }
          />
          <div className="flex justify-end">
            <Button onClick={close}>Done</Button>
          </div>
        </div>
      ) : (
        <div className="grid grid-cols-1 gap-4">
          {rotate.error && <ProblemAlert error={rotate.error} title="Could not rotate the key" />}
          <Field label="The old key keeps working for">
            {(control) => (
              <Select {...control} value={grace} onChange={(event) => setGrace(Number(event.target.value))}>
                {GRACE_CHOICES.map((choice) => (
                  <option key={choice.seconds} value={choice.seconds}>
                    {choice.label}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="outline" onClick={close}>
              Cancel
            </Button>
            <Button busy={rotate.isPending} onClick={() => apiKey && rotate.mutate({ id: apiKey.id, seconds: grace })}>
              Rotate key
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}

export function ApiKeysPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [status, setStatus] = useState<KeyStatus | 'all'>('all');
  const pages = useCursorPages();
  const [creating, setCreating] = useState(false);
  const [rotating, setRotating] = useState<ApiKey | undefined>();
  const [disabling, setDisabling] = useState<ApiKey | undefined>();
  const cursor = pages.cursor;
  const keys = useQuery({
    queryKey: [...KEYS_KEY, status, cursor],
    queryFn: () => unwrap(api.client.GET('/api/v1/keys', { params: { query: { limit: PAGE_SIZE, ...(status === 'all' ? {} : { status }), ...(cursor ? { cursor } : {}) } } })),
  });
  const disable = useMutation({
    mutationFn: (id: string) => unwrap(api.client.POST('/api/v1/keys/{id}/disable', { params: { path: { id }, header: { 'idempotency-key': crypto.randomUUID() } } })),
    onSuccess: async (key) => {
      toast.success(`“${key.name}” is disabled`, `The key ${key.key_prefix}… answers 401 from now on.`);
      await queryClient.invalidateQueries({ queryKey: KEYS_KEY });
    },
    onError: (error) => toast.problem(error, 'Could not disable the key'),
    onSettled: () => setDisabling(undefined),
  });
  const rows = keys.data?.data ?? [];
  const newKey = <Button onClick={() => setCreating(true)}>New API key</Button>;
  return (
    <>
      <PageHeader title="API keys" description="The keys your systems call the API with (X-Api-Key). Each has your scopes and rate limit; give each system its own." actions={newKey} />
      <Card>
        <CardContent className="grid grid-cols-1 gap-4 pt-5">
          <div className="max-w-48">
            <FilterSelect
              label="Status"
              value={status}
              options={allOr(KEY_STATUSES, sentenceCase)}
              onChange={(value) => {
                setStatus(value);
                pages.reset();
              }}
            />
          </div>
          <QueryState
            query={keys}
            what="your API keys"
            empty={rows.length === 0 && pages.page === 1 && <StatusFilterEmptyState status={status} noun="API keys" whatFillsIt="Create a key for each system that calls the API." />}
          >
            <div>
              <Table label="API keys">
                <TableHead columns={['Name', 'Key', 'Created', 'Last used', 'Status']} actions="Actions" />
                <TBody>
                  {rows.map((key) => (
                    <Tr key={key.id} data-key={key.id}>
                      <NameCell name={key.name} id={key.id} />
                      <Td className="font-mono text-xs whitespace-nowrap">{key.key_prefix}…</Td>
                      <Td className="text-xs whitespace-nowrap">{formatDateTime(key.created_at)}</Td>
                      <Td className="text-xs whitespace-nowrap">{key.last_used_at ? formatDateTime(key.last_used_at) : 'Never'}</Td>
                      <Td>
                        <Badge tone={STATUS_TONE[key.status]}>{key.status}</Badge>
                        {key.status === 'expiring' && <p className="text-xs text-muted-foreground">until {formatDateTime(key.expires_at!)}</p>}
                      </Td>
                      <Td>
                        {key.status === 'disabled' || key.status === 'expired' ? (
                          <span className="text-sm text-muted-foreground">—</span>
                        ) : (
                          <div className="flex gap-2">
                            {key.status === 'active' && (
                              <Button variant="outline" size="sm" onClick={() => setRotating(key)} aria-label={`Rotate ${key.name}`}>
                                Rotate
                              </Button>
                            )}
                            <Button variant="outline" size="sm" className="text-destructive" onClick={() => setDisabling(key)} aria-label={`Disable ${key.name}`}>
                              Disable
                            </Button>
                          </div>
                        )}
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
              <Pagination page={pages.page} hasNext={Boolean(keys.data?.next_cursor)} onPage={(page) => pages.go(page, keys.data?.next_cursor)} />
            </div>
          </QueryState>
        </CardContent>
      </Card>
      <CreateKeyDialog open={creating} onClose={() => setCreating(false)} />
      <RotateKeyDialog apiKey={rotating} onClose={() => setRotating(undefined)} />
      <ConfirmDialog
        open={disabling !== undefined}
        title={`Disable “${disabling?.name ?? ''}”?`}
        description={`The key ${disabling?.key_prefix ?? ''}… answers 401 from now on, for good, and so do the access tokens issued with it; console sessions signed in with it end. Your last active key cannot be disabled: create another one first.`}
        confirmLabel="Disable key"
        destructive
        busy={disable.isPending}
        onConfirm={() => disabling && disable.mutate(disabling.id)}
        onCancel={() => setDisabling(undefined)}
      />
    </>
  );
}
