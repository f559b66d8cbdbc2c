import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Badge } from '../../components/ui/badge.tsx';
import { Button } from '../../components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card.tsx';
import { StatusFilterEmptyState } from '../../components/ui/empty-state.tsx';
import { allOr, FilterSelect } from '../../components/ui/input.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { Pagination, Table, TBody, Td, Th, THead, Tr } from '../../components/ui/table.tsx';
import { useToast } from '../../components/ui/toast.tsx';
import { downloadText } from '../../lib/download.ts';
import { formatDateTime } from '../../lib/format.ts';

type Submission = Schemas['Evidence'];
type SubmissionStatus = Submission['status'];

const PAGE_SIZE = 10;
const STATUS_TONE = {
  awaiting_credits: 'warning',
  received: 'warning',
  validating: 'warning',
  certified: 'success',
  rejected: 'danger',
  failed: 'danger',
} as const satisfies Record<SubmissionStatus, string>;
const STATUSES = Object.keys(STATUS_TONE) as SubmissionStatus[];
const inProgress = (status: SubmissionStatus) => status === 'received' || status === 'validating';

/** Signed documents submitted through POST /api/v1/proofs: status, failure code, certificate and ledger receipt. */
export function ProofsPage() {
  const api = useApi();
  const toast = useToast();
  const [status, setStatus] = useState<SubmissionStatus | 'all'>('all');
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const cursor = cursors.at(-1);
  const proofs = useQuery({
    queryKey: ['partner', 'proofs', status, cursor],
    queryFn: () => unwrap(api.client.GET('/api/v1/proofs', { params: { query: { limit: PAGE_SIZE, ...(status === 'all' ? {} : { status }), ...(cursor ? { cursor } : {}) } } })),
    refetchInterval: (query) => (query.state.data?.data.some((row) => inProgress(row.status)) ? 2000 : false),
  });
  const receipt = useMutation({
    mutationFn: async (id: string) => ({ id, text: await unwrap(api.client.GET('/api/v1/receipts/{id}', { params: { path: { id } }, parseAs: 'text' })) }),
    onSuccess: ({ id, text }) => downloadText(`${id}.receipt`, text),
    onError: (error) => toast.problem(error, 'Could not fetch the receipt'),
  });
  const rows = proofs.data?.data ?? [];
  return (
    <>
      <PageHeader title="Proofs" description="Signed documents you submitted for certification: where each one is, why one failed, and its ledger receipt." />
      <Card>
        <CardHeader>
          <CardTitle>Submissions</CardTitle>
          <CardDescription>Newest first. A receipt proves the outcome is in the public ledger: check it offline on the Check a receipt or certificate page.</CardDescription>
        </CardHeader>
        <CardContent className="grid grid-cols-1 gap-4">
          <div className="max-w-56">
            <FilterSelect
              label="Status"
              value={status}
              options={allOr(STATUSES)}
              onChange={(value) => {
                setStatus(value);
                setCursors([undefined]);
              }}
            />
          </div>
          <QueryState
            query={proofs}
            what="the submissions"
            empty={
              rows.length === 0 &&
              cursors.length === 1 && (
                <StatusFilterEmptyState status={status} noun="submissions" whatFillsIt="Documents you POST to /api/v1/proofs appear here with their outcome." />
              )
            }
          >
            <div>
              <Table label="Proof submissions">
                <THead>
                  <Tr>
                    <Th>Submission</Th>
                    <Th>Status</Th>
                    <Th>Failure</Th>
                    <Th>Created</Th>
                    <Th aria-label="Actions" />
                  </Tr>
                </THead>
                <TBody>
                  {rows.map((row) => (
                    <Tr key={row.id} data-proof={row.id}>
                      <Td>
                        <p className="font-medium">{row.filename ?? `${row.size} bytes`}</p>
                        <p className="font-mono text-xs text-muted-foreground">{row.id}</p>
                      </Td>
                      <Td>
                        <Badge tone={STATUS_TONE[row.status]}>{row.status.replace('_', ' ')}</Badge>
                      </Td>
                      <Td className="text-xs">
                        {row.error_code ? (
                          <>
                            <code className="text-destructive">{row.error_code}</code>
                            {row.error_message && <p className="text-muted-foreground">{row.error_message}</p>}
                          </>
                        ) : (
                          <span className="text-muted-foreground">—</span>
                        )}
                      </Td>
                      <Td className="text-xs whitespace-nowrap">{formatDateTime(row.created_at)}</Td>
                      <Td>
                        <div className="flex flex-wrap gap-2">
                          {row.receipt_url && (
                            <Button variant="outline" size="sm" aria-label={`Receipt of ${row.id}`} busy={receipt.isPending && receipt.variables === row.id} onClick={() => receipt.mutate(row.id)}>
                              Receipt
                            </Button>
                          )}
                          {row.certificate && (
                            <a className="rounded-md px-2 py-1 text-sm underline" aria-label={`Certificate of ${row.id}`} href={row.certificate.verify_url}>
                              Certificate
                            </a>
                          )}
                        </div>
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
              <Pagination
                page={cursors.length}
                hasNext={Boolean(proofs.data?.next_cursor)}
                onPage={(page) => setCursors(page > cursors.length ? [...cursors, proofs.data?.next_cursor ?? undefined] : cursors.slice(0, page))}
              />
            </div>
          </QueryState>
        </CardContent>
      </Card>
    </>
  );
}
