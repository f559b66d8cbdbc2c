import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../api/context.tsx';
import type { ConsoleSession } from '../api/session.ts';
import { PageHeader } from '../components/layout.tsx';
import { Badge } from '../components/ui/badge.tsx';
import { Button } from '../components/ui/button.tsx';
import { Card, CardContent } from '../components/ui/card.tsx';
import { ConfirmDialog } from '../components/ui/dialog.tsx';
import { EmptyState } from '../components/ui/empty-state.tsx';
import { pageOf, Pagination, Table, TableHead, TBody, Td, Tr } from '../components/ui/table.tsx';
import { QueryState } from '../components/ui/query-state.tsx';
import { useToast } from '../components/ui/toast.tsx';
import { formatDateTime } from '../lib/format.ts';

const SESSIONS_KEY = ['console', 'sessions'] as const;
const PAGE_SIZE = 10;

export function SessionsPage({ currentId }: { currentId: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [page, setPage] = useState(1);
  const [revoking, setRevoking] = useState<ConsoleSession | undefined>();
  const sessions = useQuery({ queryKey: SESSIONS_KEY, queryFn: () => api.session.list() });
  const revoke = useMutation({
    mutationFn: (id: string) => api.session.revoke(id),
    onSettled: () => setRevoking(undefined),
    onSuccess: async () => {
      toast.success('Session revoked', 'It can no longer be used or refreshed.');
      await queryClient.invalidateQueries({ queryKey: SESSIONS_KEY });
    },
    onError: (error) => toast.problem(error, 'Could not revoke the session'),
  });
  const all = sessions.data ?? [];
  const shown = pageOf(all, page, PAGE_SIZE);
  return (
    <>
      <PageHeader title="Sessions" description="Where you are signed in. Revoke a session you do not recognise: it stops working at once." />
      <Card>
        <CardContent className="pt-5">
          <QueryState query={sessions} what="your sessions" empty={all.length === 0 && <EmptyState title="No sessions">Sign in again to start one.</EmptyState>}>
            <div>
              <Table label="Sessions">
                <TableHead columns={['Signed in with', 'Started', 'Renewable until']} actions="Actions" />
                <TBody>
                  {shown.rows.map((session) => {
                    const current = session.current ?? session.id === currentId;
                    return (
                      <Tr key={session.id}>
                        <Td>
                          {session.method} {current && <Badge tone="success">this browser</Badge>}
                          {session.identity && <p className="text-xs break-all">{session.identity}</p>}
                          <p className="font-mono text-xs text-muted-foreground">{session.id}</p>
                        </Td>
                        <Td className="text-xs whitespace-nowrap">{formatDateTime(session.created_at)}</Td>
                        <Td className="text-xs whitespace-nowrap">{formatDateTime(session.refresh_expires_at)}</Td>
                        <Td>
                          {!current && (
                            <Button variant="outline" size="sm" className="text-destructive" onClick={() => setRevoking(session)}>
                              Revoke
                            </Button>
                          )}
                        </Td>
                      </Tr>
                    );
                  })}
                </TBody>
              </Table>
              <Pagination page={shown.page} pages={shown.pages} hasNext={shown.page < shown.pages} onPage={setPage} />
            </div>
          </QueryState>
        </CardContent>
      </Card>
      <ConfirmDialog
        open={revoking !== undefined}
        title="Revoke this session?"
        description={`The session started ${formatDateTime(revoking?.created_at)} with ${revoking?.method ?? ''} stops working at once.`}
        confirmLabel="Revoke session"
        destructive
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onCancel={() => setRevoking(undefined)}
      />
    </>
  );
}
