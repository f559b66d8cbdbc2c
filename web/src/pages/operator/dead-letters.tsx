import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { PartnerFilter, usePartnerNames } from '../../components/partner-filter.tsx';
import { Button } from '../../components/ui/button.tsx';
import { Card, CardContent } from '../../components/ui/card.tsx';
import { ConfirmDialog } from '../../components/ui/dialog.tsx';
import { EmptyState } from '../../components/ui/empty-state.tsx';
import { Field, Input } from '../../components/ui/input.tsx';
import { NameCell, Pagination, Table, TableHead, TBody, Td, Tr } from '../../components/ui/table.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { useToast } from '../../components/ui/toast.tsx';
import { WebhookAttemptsRow, WebhookAttemptsToggle } from '../../components/webhook-attempts.tsx';
import { useCursorPages } from '../../lib/cursor-pages.ts';
import { formatDateTime } from '../../lib/format.ts';

type Redrive = Schemas['WebhookRedriveRequest'];
type Pending = { body: Redrive; title: string; description: string };

const PAGE_SIZE = 20;
const DEAD_KEY = ['admin', 'webhook-dead-letters'] as const;

/** What "redrive all" selects: the filters in force, or every dead delivery when there is none. */
export function redriveSelection(filter: { clientId: string; eventType: string }): Redrive {
  const eventType = filter.eventType.trim();
  if (!filter.clientId && !eventType) return { all: true };
  return { ...(filter.clientId ? { client_id: filter.clientId } : {}), ...(eventType ? { event_type: eventType } : {}) };
}

export function DeadLettersPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [clientId, setClientId] = useState('');
  const [eventType, setEventType] = useState('');
  const [open, setOpen] = useState<string | undefined>();
  const [pending, setPending] = useState<Pending | undefined>();
  const pages = useCursorPages();
  const { partners, nameOf: partnerName } = usePartnerNames();
  const trimmedEvent = eventType.trim();
  const dead = useQuery({
    queryKey: [...DEAD_KEY, clientId, trimmedEvent, pages.cursor],
    queryFn: () =>
      unwrap(
        api.client.GET('/api/admin/webhooks/dead-letters', {
          params: { query: { limit: PAGE_SIZE, ...(clientId ? { client_id: clientId } : {}), ...(trimmedEvent ? { event_type: trimmedEvent } : {}), ...(pages.cursor ? { cursor: pages.cursor } : {}) } },
        }),
      ),
  });
  const redrive = useMutation({
    mutationFn: (body: Redrive) => unwrap(api.client.POST('/api/admin/webhooks/dead-letters/redrive', { body })),
    onSuccess: async ({ redriven }) => {
      setPending(undefined);
      toast.success(`${redriven} ${redriven === 1 ? 'delivery' : 'deliveries'} queued again`, 'Each gets a fresh round of attempts, due now.');
      pages.reset();
      await queryClient.invalidateQueries({ queryKey: DEAD_KEY });
    },
    onError: (error) => {
      setPending(undefined);
      toast.problem(error, 'Could not redrive');
    },
  });

  const rows = dead.data?.data ?? [];
  const filtered = clientId !== '' || trimmedEvent !== '';
  const redriveAll = (
    <Button
      variant="outline"
      disabled={rows.length === 0}
      onClick={() =>
        setPending({
          body: redriveSelection({ clientId, eventType }),
          title: filtered ? 'Redrive every dead delivery matching the filter?' : 'Redrive every dead delivery?',
          description: filtered
            ? 'Every dead delivery of this partner and event type (not only this page) is queued again with a fresh round of attempts.'
            : 'Every dead delivery of every partner is queued again with a fresh round of attempts.',
        })
      }
    >
      {filtered ? 'Redrive matching' : 'Redrive all'}
    </Button>
  );

  return (
    <>
      <PageHeader title="Dead webhooks" description="Deliveries that used up their attempts or met a 410, across partners, newest first." actions={redriveAll} />
      <Card>
        <CardContent className="grid grid-cols-1 gap-4 pt-5">
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
            <PartnerFilter
              partners={partners}
              value={clientId}
              onChange={(id) => {
                setClientId(id);
                pages.reset();
              }}
            />
            <Field label="Event type">
              {(control) => (
                <Input
                  {...control}
                  type="search"
                  placeholder="proof.verified"
                  maxLength={100}
                  value={eventType}
                  onChange={(event) => {
                    setEventType(event.target.value);
                    pages.reset();
                  }}
                />
              )}
            </Field>
          </div>
          <QueryState
            query={dead}
            what="the dead deliveries"
            empty={
              rows.length === 0 &&
              pages.page === 1 && (
                <EmptyState title={filtered ? 'No dead delivery matches' : 'No dead deliveries'}>
                  {filtered ? 'Change the partner or the event type to see more.' : 'Every webhook was delivered or is still being retried.'}
                </EmptyState>
              )
            }
          >
            <div>
              <Table label="Dead webhook deliveries">
                <TableHead columns={['Event', 'Partner', 'Attempts', 'Dead since', 'Last error']} actions="Actions" />
                <TBody>
                  {rows.map((delivery) => (
                    <Fragment key={delivery.id}>
                      <Tr data-dead-delivery={delivery.id}>
                        <NameCell name={delivery.event_type} id={delivery.id} />
                        <Td className="text-sm">{partnerName(delivery.client_id)}</Td>
                        <Td className="tabular-nums">{delivery.attempt_count}</Td>
                        <Td className="text-xs whitespace-nowrap">{formatDateTime(delivery.dead_at)}</Td>
                        <Td className="max-w-64 text-xs break-words">{delivery.last_error ?? '—'}</Td>
                        <Td>
                          <div className="flex gap-2">
                            <WebhookAttemptsToggle delivery={delivery} open={open === delivery.id} onToggle={() => setOpen(open === delivery.id ? undefined : delivery.id)} />
                            <Button
                              variant="outline"
                              size="sm"
                              aria-label={`Redrive ${delivery.id}`}
                              onClick={() =>
                                setPending({
                                  body: { delivery_ids: [delivery.id] },
                                  title: `Redrive ${delivery.event_type} to ${partnerName(delivery.client_id)}?`,
                                  description: `${delivery.id} is queued again with a fresh round of attempts, due now.`,
                                })
                              }
                            >
                              Redrive
                            </Button>
                          </div>
                        </Td>
                      </Tr>
                      <WebhookAttemptsRow delivery={delivery} open={open === delivery.id} columns={6} />
                    </Fragment>
                  ))}
                </TBody>
              </Table>
              <Pagination page={pages.page} hasNext={Boolean(dead.data?.next_cursor)} onPage={(page) => pages.go(page, dead.data?.next_cursor)} />
            </div>
          </QueryState>
        </CardContent>
      </Card>
      <ConfirmDialog
        open={pending !== undefined}
        title={pending?.title ?? ''}
        description={pending?.description ?? ''}
        confirmLabel="Redrive"
        busy={redrive.isPending}
        onConfirm={() => pending && redrive.mutate(pending.body)}
        onCancel={() => setPending(undefined)}
      />
    </>
  );
}
