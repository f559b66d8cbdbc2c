import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Badge } from '../../components/ui/badge.tsx';
import { Button } from '../../components/ui/button.tsx';
import { Card, CardContent } from '../../components/ui/card.tsx';
import { CopyButton } from '../../components/ui/copy.tsx';
import { ConfirmDialog, Dialog } from '../../components/ui/dialog.tsx';
import { EmptyState } from '../../components/ui/empty-state.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { NameCell, Pagination, Table, TableHead, TBody, Td, Tr } from '../../components/ui/table.tsx';
import { ProblemAlert, useToast } from '../../components/ui/toast.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { CatalogFilters, useCatalogList, type CatalogFilter } from './catalog-list.tsx';
import { IssuerCreateForm } from './issuer-form.tsx';

type Issuer = Schemas['Issuer'];
const STATUSES = [['trusted', 'Trusted'], ['removed', 'Removed'], ['all', 'All']] as const;
type StatusFilter = (typeof STATUSES)[number][0];
export type IssuerFilter = CatalogFilter<StatusFilter>;

const ISSUERS_KEY = ['admin', 'issuers'] as const;

export function matchesIssuerFilter(issuer: Issuer, filter: IssuerFilter): boolean {
  if (filter.status === 'trusted' && issuer.disabled_at) return false;
  if (filter.status === 'removed' && !issuer.disabled_at) return false;
  if (filter.claimType !== 'all' && !issuer.claim_types.includes(filter.claimType)) return false;
  const needle = filter.text.trim().toLowerCase();
  return needle === '' || [issuer.name, issuer.id, issuer.public_key.ax, issuer.public_key.ay].some((value) => value.toLowerCase().includes(needle));
}

function AddIssuerDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  // One key per opened dialog: a submit repeated after a lost answer replays it instead of failing as a duplicate.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const close = () => {
    add.reset();
    setIdempotencyKey(crypto.randomUUID());
    onClose();
  };
  const add = useMutation({
    mutationFn: (body: Schemas['IssuerCreate']) => unwrap(api.client.POST('/api/admin/issuers', { body, params: { header: { 'idempotency-key': idempotencyKey } } })),
    onSuccess: async (issuer) => {
      toast.success(`${issuer.name} is trusted`, `Credentials it signs for ${issuer.claim_types.join(', ')} verify from now on.`);
      await queryClient.invalidateQueries({ queryKey: ISSUERS_KEY });
      close();
    },
    // A refused body is not replayed under its key: the corrected one gets a fresh key.
    onError: () => setIdempotencyKey(crypto.randomUUID()),
  });
  return (
    <Dialog open={open} onClose={close} title="Trust an issuer" description="Proofs of credentials this key signed are accepted for the claim types chosen. Only the public key comes here.">
      <div className="grid grid-cols-1 gap-4">
        {add.error && <ProblemAlert error={add.error} title="The issuer was not added" />}
        <IssuerCreateForm busy={add.isPending} onSubmit={(body) => add.mutate(body)} onCancel={close} />
      </div>
    </Dialog>
  );
}

export function IssuersPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Issuer | undefined>();
  const issuers = useQuery({ queryKey: ISSUERS_KEY, queryFn: () => unwrap(api.client.GET('/api/admin/issuers')) });

  const remove = useMutation({
    mutationFn: (issuer: Issuer) => unwrap(api.client.DELETE('/api/admin/issuers/{id}', { params: { path: { id: issuer.id } } })),
    onSuccess: async (issuer) => {
      setRemoving(undefined);
      toast.success(`${issuer.name} is no longer trusted`, 'Proofs of credentials it signed fail with UNTRUSTED_ISSUER from now on.');
      await queryClient.invalidateQueries({ queryKey: ISSUERS_KEY });
    },
    onError: (error) => {
      setRemoving(undefined);
      toast.problem(error, 'Could not remove the issuer');
    },
  });

  const all = issuers.data ?? [];
  const { filter, change, filtered, shown, setPage } = useCatalogList<Issuer, StatusFilter>(all, 'trusted', matchesIssuerFilter);
  const addButton = <Button onClick={() => setAdding(true)}>Add issuer</Button>;

  return (
    <>
      <PageHeader title="Trusted issuers" description="The keys whose signed credentials holders may prove claims from, per claim type." actions={addButton} />
      <Card>
        <CardContent className="grid grid-cols-1 gap-4 pt-5">
          <CatalogFilters filter={filter} onChange={change} placeholder="Name, id or key" statuses={STATUSES} />
          <QueryState
            query={issuers}
            what="the issuers"
            empty={
              all.length === 0 ? (
                <EmptyState title="No trusted issuers yet" action={addButton}>
                  Add the public key of an issuer (<code>veridity issuer keygen</code> makes a development one) so proofs of the credentials it signs can verify.
                </EmptyState>
              ) : (
                filtered.length === 0 && <EmptyState title="No issuer matches">Change the filter, the claim type or the status to see more issuers.</EmptyState>
              )
            }
          >
            <div>
              <Table label="Trusted issuers">
                <TableHead columns={['Name', 'Claim types', 'Public key', 'Added', 'Status']} actions="Actions" />
                <TBody>
                  {shown.rows.map((issuer) => (
                    <Tr key={issuer.id}>
                      <NameCell name={issuer.name} id={issuer.id} />
                      <Td className="max-w-64 text-xs">{issuer.claim_types.join(', ')}</Td>
                      <Td>
                        <div className="flex items-center gap-2">
                          <span className="font-mono text-xs whitespace-nowrap" title={`ax ${issuer.public_key.ax}, ay ${issuer.public_key.ay}`}>
                            ax {issuer.public_key.ax.slice(0, 10)}…
                          </span>
                          <CopyButton value={JSON.stringify(issuer.public_key)} label="Copy key" />
                        </div>
                      </Td>
                      <Td className="text-xs whitespace-nowrap">{formatDateTime(issuer.created_at)}</Td>
                      <Td>{issuer.disabled_at ? <Badge tone="danger">removed {formatDateTime(issuer.disabled_at)}</Badge> : <Badge tone="success">trusted</Badge>}</Td>
                      <Td>
                        {issuer.disabled_at ? (
                          <span className="text-sm text-muted-foreground">—</span>
                        ) : (
                          <Button variant="outline" size="sm" className="text-destructive" onClick={() => setRemoving(issuer)} aria-label={`Remove ${issuer.name}`}>
                            Remove
                          </Button>
                        )}
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
              <Pagination page={shown.page} pages={shown.pages} hasNext={shown.page < shown.pages} onPage={setPage} summary={`${filtered.length} issuer${filtered.length === 1 ? '' : 's'} · page ${shown.page} of ${shown.pages}`} />
            </div>
          </QueryState>
        </CardContent>
      </Card>
      <AddIssuerDialog open={adding} onClose={() => setAdding(false)} />
      <ConfirmDialog
        open={removing !== undefined}
        title={`Remove ${removing?.name ?? ''}?`}
        description="Proofs of credentials it signed fail with UNTRUSTED_ISSUER from now on; outcomes already recorded stand. The issuer stays listed as removed, and its key cannot be added again."
        confirmLabel="Remove issuer"
        destructive
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing)}
        onCancel={() => setRemoving(undefined)}
      />
    </>
  );
}
