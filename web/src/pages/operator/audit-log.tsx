import { useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { Fragment, useState } from 'react';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { PartnerFilter, usePartnerNames } from '../../components/partner-filter.tsx';
import { Button } from '../../components/ui/button.tsx';
import { Card, CardContent } from '../../components/ui/card.tsx';
import { EmptyState } from '../../components/ui/empty-state.tsx';
import { Field, Input } from '../../components/ui/input.tsx';
import { JsonTree } from '../../components/ui/json-tree.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { Pagination, Table, TableHead, TBody, Td, Tr } from '../../components/ui/table.tsx';
import { useCursorPages } from '../../lib/cursor-pages.ts';
import { formatDateTime } from '../../lib/format.ts';

type AuditEvent = Schemas['AuditEvent'];

/** The filters, as kept in the page's URL (so a filtered view can be shared): dates are the reader's local days, both included. */
export type AuditLogSearch = { client_id?: string; action?: string; from?: string; to?: string };

const PAGE_SIZE = 25;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const routeApi = getRouteApi('/app/audit-log');

/** The URL's search, keeping only the filters this page knows, as strings (a hand-edited URL cannot break the page). */
export function parseAuditLogSearch(search: Record<string, unknown>): AuditLogSearch {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
  const day = (value: unknown) => (typeof value === 'string' && DAY.test(value) && !Number.isNaN(localMidnight(value).getTime()) ? value : undefined);
  const parsed = { client_id: text(search.client_id), action: text(search.action), from: day(search.from), to: day(search.to) };
  return Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
}

function localMidnight(day: string): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const midnight = new Date(year, month - 1, date);
  return midnight.getFullYear() === year && midnight.getMonth() === month - 1 ? midnight : new Date(Number.NaN);
}

/** Why the date range selects nothing, if it does not. */
export function dateRangeError(search: AuditLogSearch): string | undefined {
  return search.from && search.to && search.to < search.from ? 'Must be on or after the From day' : undefined;
}

/** The API's query for these filters: `since` the start of the From day, `until` the end of the To day (the next midnight). */
export function auditEventQuery(search: AuditLogSearch) {
  const action = search.action?.trim();
  const endOfTo = search.to ? localMidnight(search.to) : undefined;
  endOfTo?.setDate(endOfTo.getDate() + 1);
  return {
    ...(search.client_id ? { client_id: search.client_id } : {}),
    ...(action ? { action } : {}),
    ...(search.from ? { since: localMidnight(search.from).toISOString() } : {}),
    ...(endOfTo ? { until: endOfTo.toISOString() } : {}),
  };
}

function Actor({ event, partnerName }: { event: AuditEvent; partnerName: (id: string) => string }) {
  if (event.actor_type === 'partner' && event.actor_id) return <span>{partnerName(event.actor_id)}</span>;
  const who = { admin: 'Operator', partner: 'Partner', cli: 'Command line', system: 'Platform' }[event.actor_type];
  return (
    <>
      <p>{who}</p>
      {event.actor_id && <p className="font-mono text-xs break-all text-muted-foreground">{event.actor_id}</p>}
    </>
  );
}

/** Everything recorded about one event, under its row. */
function AuditEventDetails({ event }: { event: AuditEvent }) {
  const facts: Array<[string, string | null]> = [
    ['Event', event.id],
    ['Target', event.target_type && event.target_id ? `${event.target_type} ${event.target_id}` : event.target_id],
    ['Request', event.request_id],
    ['IP', event.ip],
  ];
  return (
    <div className="grid grid-cols-1 gap-3">
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-xs">
        {facts.map(([label, value]) => (
          <Fragment key={label}>
            <dt className="text-muted-foreground">{label}</dt>
            <dd className="font-mono break-all">{value ?? '—'}</dd>
          </Fragment>
        ))}
      </dl>
      <JsonTree value={event.details} label={`Details of ${event.action}`} />
    </div>
  );
}

export function AuditLogPage() {
  const api = useApi();
  const search = routeApi.useSearch();
  const navigate = routeApi.useNavigate();
  const pages = useCursorPages();
  const [open, setOpen] = useState<string | undefined>();
  const rangeError = dateRangeError(search);
  const { partners, nameOf: partnerName } = usePartnerNames();
  const query = auditEventQuery(search);
  const events = useQuery({
    queryKey: ['admin', 'audit-events', query, pages.cursor],
    queryFn: () => unwrap(api.client.GET('/api/admin/audit-events', { params: { query: { limit: PAGE_SIZE, ...query, ...(pages.cursor ? { cursor: pages.cursor } : {}) } } })),
    enabled: rangeError === undefined,
  });

  const filter = (change: { [Key in keyof AuditLogSearch]?: string }) => {
    pages.reset();
    void navigate({ search: (previous) => parseAuditLogSearch({ ...previous, ...change }), replace: true });
  };
  const filtered = Object.keys(search).length > 0;
  const rows = events.data?.data ?? [];

  return (
    <>
      <PageHeader title="Audit log" description="Every change made to the platform — by operators, partners, the command line and the platform itself — newest first. The filters are in the address, so a filtered view can be shared." />
      <Card>
        <CardContent className="grid grid-cols-1 gap-4 pt-5">
          <div className="grid grid-cols-1 items-start gap-3 sm:grid-cols-2 lg:grid-cols-4">
            <PartnerFilter partners={partners} value={search.client_id ?? ''} onChange={(id) => filter({ client_id: id })} />
            <Field label="Action" hint="Exact (client.key_rotated), or a prefix ending in a dot (client.)">
              {(control) => <Input {...control} type="search" placeholder="client." maxLength={100} value={search.action ?? ''} onChange={(event) => filter({ action: event.target.value })} />}
            </Field>
            <Field label="From">{(control) => <Input {...control} type="date" value={search.from ?? ''} onChange={(event) => filter({ from: event.target.value })} />}</Field>
            <Field label="To" error={rangeError}>
              {(control) => <Input {...control} type="date" value={search.to ?? ''} onChange={(event) => filter({ to: event.target.value })} />}
            </Field>
          </div>
          {rangeError === undefined && (
            <QueryState
              query={events}
              what="the audit log"
              empty={
                rows.length === 0 &&
                pages.page === 1 && (
                  <EmptyState
                    title={filtered ? 'No event matches these filters' : 'No audit events yet'}
                    action={
                      filtered && (
                        <Button variant="outline" onClick={() => filter({ client_id: '', action: '', from: '', to: '' })}>
                          Clear filters
                        </Button>
                      )
                    }
                  >
                    {filtered ? 'Widen the date range, choose another partner or shorten the action to a prefix such as client.' : 'Changes appear here as they are made: create a partner or rotate a key, and it is recorded.'}
                  </EmptyState>
                )
              }
            >
              <div>
                <Table label="Audit events">
                  <TableHead columns={['When', 'Action', 'Actor', 'Partner']} actions="Details" />
                  <TBody>
                    {rows.map((event) => (
                      <Fragment key={event.id}>
                        <Tr data-audit-event={event.id}>
                          <Td className="text-xs whitespace-nowrap">
                            <time dateTime={event.at} title={event.at}>
                              {formatDateTime(event.at)}
                            </time>
                          </Td>
                          <Td className="font-mono text-xs">{event.action}</Td>
                          <Td className="text-sm">
                            <Actor event={event} partnerName={partnerName} />
                          </Td>
                          <Td className="text-sm">{event.client_id ? partnerName(event.client_id) : '—'}</Td>
                          <Td>
                            <Button variant="ghost" size="sm" aria-expanded={open === event.id} aria-controls={`audit-${event.id}`} onClick={() => setOpen(open === event.id ? undefined : event.id)}>
                              {open === event.id ? 'Hide details' : 'Details'}
                              <span className="sr-only">
                                {' '}
                                of {event.action}, {formatDateTime(event.at)}
                              </span>
                            </Button>
                          </Td>
                        </Tr>
                        {open === event.id && (
                          <Tr id={`audit-${event.id}`}>
                            <Td colSpan={5} className="bg-muted/40">
                              <AuditEventDetails event={event} />
                            </Td>
                          </Tr>
                        )}
                      </Fragment>
                    ))}
                  </TBody>
                </Table>
                <Pagination page={pages.page} hasNext={Boolean(events.data?.next_cursor)} onPage={(page) => pages.go(page, events.data?.next_cursor)} />
              </div>
            </QueryState>
          )}
        </CardContent>
      </Card>
    </>
  );
}
