import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Badge } from '../../components/ui/badge.tsx';
import { Button } from '../../components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card.tsx';
import { ConfirmDialog } from '../../components/ui/dialog.tsx';
import { Figures } from '../../components/ui/figures.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { useToast } from '../../components/ui/toast.tsx';
import { formatAge, formatDateTime } from '../../lib/format.ts';

type QueueStatus = Schemas['QueueStatus'];

const QUEUE_KEY = ['admin', 'queue'] as const;

function StatusCard({ status, onPause, onResume, resuming }: { status: QueueStatus; onPause: () => void; onResume: () => void; resuming: boolean }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex flex-wrap items-center gap-2">
          Queue <code className="text-base">{status.queue}</code>
          {status.paused ? <Badge tone="warning">paused</Badge> : <Badge tone="success">running</Badge>}
        </CardTitle>
        <CardDescription>
          {status.paused ? 'Paused' : 'Running'} since {formatDateTime(status.changedAt)}
          {status.changedBy ? ` (by ${status.changedBy})` : ''}.{' '}
          {status.paused ? 'Workers take no task; new tasks are accepted and wait as pending.' : 'Workers take pending tasks, oldest first.'}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <div>
          {status.paused ? (
            <Button onClick={onResume} busy={resuming}>
              Resume processing
            </Button>
          ) : (
            <Button variant="destructive" onClick={onPause}>
              Pause processing
            </Button>
          )}
        </div>
        <section aria-labelledby="queue-tasks" className="grid grid-cols-1 gap-2">
          <h3 id="queue-tasks" className="text-sm font-medium">
            Tasks, all partners
          </h3>
          <Figures className="grid-cols-2 sm:grid-cols-4" items={[...Object.entries(status.tasks), ['Oldest pending', status.oldestPendingSeconds > 0 ? formatAge(status.oldestPendingSeconds) : 'none']]} />
        </section>
        <section aria-labelledby="queue-jobs" className="grid grid-cols-1 gap-2">
          <h3 id="queue-jobs" className="text-sm font-medium">
            Queue jobs
          </h3>
          {status.jobs ? (
            <Figures className="grid-cols-2 sm:grid-cols-4" items={Object.entries(status.jobs)} />
          ) : (
            <p className="text-sm text-muted-foreground">No worker has created the queue yet.</p>
          )}
        </section>
      </CardContent>
    </Card>
  );
}

export function QueuePage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const status = useQuery({ queryKey: QUEUE_KEY, queryFn: () => unwrap(api.client.GET('/api/v1/queue/status')), refetchInterval: 5000 });
  const change = useMutation({
    mutationFn: (action: 'pause' | 'resume') => unwrap(action === 'pause' ? api.client.POST('/api/v1/queue/pause') : api.client.POST('/api/v1/queue/resume')),
    onSuccess: (next, action) => {
      setConfirming(false);
      queryClient.setQueryData(QUEUE_KEY, next);
      toast.success(action === 'pause' ? 'Processing paused' : 'Processing resumed');
    },
    onError: (error, action) => {
      setConfirming(false);
      toast.problem(error, action === 'pause' ? 'Could not pause the queue' : 'Could not resume the queue');
    },
  });
  return (
    <>
      <PageHeader title="Queue" description="Attestation task processing on every worker. Refreshed every 5 seconds." />
      <QueryState query={status} what="the queue status" empty={false}>
        {status.data && <StatusCard status={status.data} onPause={() => setConfirming(true)} onResume={() => change.mutate('resume')} resuming={change.isPending && change.variables === 'resume'} />}
      </QueryState>
      <ConfirmDialog
        open={confirming}
        title="Pause task processing?"
        description="Every worker stops taking tasks after the ones in flight. New tasks are still accepted and wait as pending until you resume."
        confirmLabel="Pause processing"
        destructive
        busy={change.isPending}
        onConfirm={() => change.mutate('pause')}
        onCancel={() => setConfirming(false)}
      />
    </>
  );
}
