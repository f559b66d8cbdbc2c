import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Badge } from '../../components/ui/badge.tsx';
import { Button } from '../../components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card.tsx';
import { SecretReveal } from '../../components/ui/copy.tsx';
import { ConfirmDialog, Dialog } from '../../components/ui/dialog.tsx';
import { StatusFilterEmptyState } from '../../components/ui/empty-state.tsx';
import { allOr, FilterSelect } from '../../components/ui/input.tsx';
import { NameCell, Pagination, Table, TableHead, TBody, Td, Tr } from '../../components/ui/table.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { ProblemAlert, useToast } from '../../components/ui/toast.tsx';
import { Detail, DetailList } from '../../components/ui/detail-list.tsx';
import { formatDateTime, sentenceCase } from '../../lib/format.ts';
import { WebhookAttemptsRow, WebhookAttemptsToggle } from '../../components/webhook-attempts.tsx';
import { useCursorPages } from '../../lib/cursor-pages.ts';
import { EndpointUrlDialog } from './webhook-endpoint-form.tsx';

type Delivery = Schemas['WebhookDelivery'];
type DeliveryStatus = Delivery['status'];

const PAGE_SIZE = 10;
const STATUS_TONE = { pending: 'warning', delivered: 'success', dead: 'danger' } as const satisfies Record<DeliveryStatus, string>;
const DELIVERY_STATUSES = Object.keys(STATUS_TONE) as DeliveryStatus[];
const ENDPOINT_KEY = ['partner', 'webhook-endpoint'] as const;
const DELIVERIES_KEY = ['partner', 'webhook-deliveries'] as const;

function EndpointCard() {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [editingUrl, setEditingUrl] = useState(false);
  const endpoint = useQuery({ queryKey: ENDPOINT_KEY, queryFn: () => unwrap(api.client.GET('/api/v1/webhooks/endpoint')) });
  const sendTest = useMutation({
    mutationFn: () => unwrap(api.client.POST('/api/v1/webhooks/test', { params: { header: { 'idempotency-key': crypto.randomUUID() } } })),
    onSuccess: async (result) => {
      toast.success('Test event queued', `Delivery ${result.delivery_id}: follow it below.`);
      await queryClient.invalidateQueries({ queryKey: DELIVERIES_KEY });
    },
    onError: (error) => toast.problem(error, 'Could not send a test event'),
  });
  const rotate = useMutation({
    mutationFn: () => unwrap(api.client.POST('/api/v1/webhooks/rotate-secret', { params: { header: { 'idempotency-key': crypto.randomUUID() } } })),
    onSettled: () => setConfirmRotate(false),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ENDPOINT_KEY }),
    onError: (error) => toast.problem(error, 'Could not rotate the secret'),
  });
  const data = endpoint.data;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Endpoint</CardTitle>
        <CardDescription>Events are POSTed here, signed with your secret (Standard Webhooks headers and X-Veridity-Signature).</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        {endpoint.isError ? (
          <ProblemAlert error={endpoint.error} title="Could not load your endpoint" />
        ) : !data ? (
          <p className="h-6 text-sm text-muted-foreground">Loading…</p>
        ) : (
          <DetailList>
            <Detail label="URL" className="break-all">{data.url ? <code>{data.url}</code> : 'None yet: set one to receive events'}</Detail>
            <Detail label="State">{data.disabled_at ? <Badge tone="danger">disabled {formatDateTime(data.disabled_at)}{data.disabled_reason ? `: ${data.disabled_reason}` : ''}</Badge> : <Badge tone="success">active</Badge>}</Detail>
            {data.previous_secret_expires_at && (
              <Detail label="Previous secret">still signs until {formatDateTime(data.previous_secret_expires_at)}</Detail>
            )}
          </DetailList>
        )}
        <div className="flex flex-wrap gap-2">
          <Button variant="outline" onClick={() => setEditingUrl(true)} disabled={!data}>
            {data?.url ? 'Change URL' : 'Set URL'}
          </Button>
          <Button onClick={() => sendTest.mutate()} busy={sendTest.isPending} disabled={!data?.url}>
            Send test event
          </Button>
          <Button variant="outline" onClick={() => setConfirmRotate(true)} disabled={!data?.url}>
            Rotate secret
          </Button>
        </div>
      </CardContent>
      <EndpointUrlDialog open={editingUrl} current={data?.url ?? null} queryKey={ENDPOINT_KEY} onClose={() => setEditingUrl(false)} />
      <ConfirmDialog
        open={confirmRotate}
        title="Rotate the webhook secret?"
        description="A new secret is issued and shown once. For 24 hours every event is signed with both secrets, so your receiver can switch without missing one."
        confirmLabel="Rotate secret"
        busy={rotate.isPending}
        onConfirm={() => rotate.mutate()}
        onCancel={() => setConfirmRotate(false)}
      />
      <Dialog open={rotate.isSuccess} onClose={() => rotate.reset()} title="New webhook secret" footer={<Button onClick={() => rotate.reset()}>Done</Button>}>
        {rotate.data && (
          <SecretReveal
            label="Webhook signing secret"
            value={rotate.data.webhook_secret}
            note={`Shown this once. The previous secret keeps signing until ${formatDateTime(rotate.data.previous_secret_expires_at)}.`}
          />
        )}
      </Dialog>
    </Card>
  );
}

function DeliveriesCard() {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [status, setStatus] = useState<DeliveryStatus | 'all'>('all');
  const pages = useCursorPages();
  const [open, setOpen] = useState<string | undefined>();
  const cursor = pages.cursor;
  const deliveries = useQuery({
    queryKey: [...DELIVERIES_KEY, status, cursor],
    queryFn: () =>
      unwrap(api.client.GET('/api/v1/webhooks/deliveries', { params: { query: { limit: PAGE_SIZE, ...(status === 'all' ? {} : { status }), ...(cursor ? { cursor } : {}) } } })),
    // Pending deliveries move on their own: watch them until they settle.
    refetchInterval: (query) => (query.state.data?.data.some((delivery) => delivery.status === 'pending') ? 2000 : false),
  });
  const redeliver = useMutation({
    mutationFn: (id: string) => unwrap(api.client.POST('/api/v1/webhooks/deliveries/{id}/redeliver', { params: { path: { id }, header: { 'idempotency-key': crypto.randomUUID() } } })),
    onSuccess: async (delivery) => {
      toast.success('Delivery queued again', `${delivery.id} gets a fresh round of attempts.`);
      await queryClient.invalidateQueries({ queryKey: DELIVERIES_KEY });
    },
    onError: (error) => toast.problem(error, 'Could not redeliver'),
  });
  const rows = deliveries.data?.data ?? [];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Deliveries</CardTitle>
        <CardDescription>Newest first, with every attempt. Failed deliveries are retried after 1 m, 5 m, 15 m, 1 h and 6 h, and are dead after 8 failures.</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <div className="max-w-48">
          <FilterSelect
            label="Status"
            value={status}
            options={allOr(DELIVERY_STATUSES, sentenceCase)}
            onChange={(value) => {
              setStatus(value);
              pages.reset();
            }}
          />
        </div>
        <QueryState
          query={deliveries}
          what="the deliveries"
          empty={
            rows.length === 0 &&
            pages.page === 1 && (
              <StatusFilterEmptyState status={status} noun="deliveries" whatFillsIt="Send a test event to check your endpoint: its delivery and every attempt appear here." />
            )
          }
        >
          <div>
            <Table label="Webhook deliveries">
              <TableHead columns={['Event', 'Status', 'Attempts', 'Created']} actions="Actions" />
              <TBody>
                {rows.map((delivery) => (
                  <Fragment key={delivery.id}>
                    <Tr data-delivery={delivery.id}>
                      <NameCell name={delivery.event_type} id={delivery.id} />
                      <Td>
                        <Badge tone={STATUS_TONE[delivery.status]}>{delivery.status}</Badge>
                      </Td>
                      <Td className="tabular-nums">{delivery.attempt_count}</Td>
                      <Td className="text-xs whitespace-nowrap">{formatDateTime(delivery.created_at)}</Td>
                      <Td>
                        <div className="flex gap-2">
                          <WebhookAttemptsToggle delivery={delivery} open={open === delivery.id} onToggle={() => setOpen(open === delivery.id ? undefined : delivery.id)} />
                          {delivery.status !== 'pending' && (
                            <Button variant="outline" size="sm" busy={redeliver.isPending && redeliver.variables === delivery.id} onClick={() => redeliver.mutate(delivery.id)}>
                              Redeliver
                            </Button>
                          )}
                        </div>
                      </Td>
                    </Tr>
                    <WebhookAttemptsRow delivery={delivery} open={open === delivery.id} columns={5} />
                  </Fragment>
                ))}
              </TBody>
            </Table>
            <Pagination
              page={pages.page}
              hasNext={Boolean(deliveries.data?.next_cursor)}
              onPage={(page) => pages.go(page, deliveries.data?.next_cursor)}
            />
          </div>
        </QueryState>
      </CardContent>
    </Card>
  );
}

export function WebhooksPage() {
  return (
    <>
      <PageHeader title="Webhooks" description="Where Veridity tells your systems about outcomes, and what happened to each event." />
      <EndpointCard />
      <DeliveriesCard />
    </>
  );
}
