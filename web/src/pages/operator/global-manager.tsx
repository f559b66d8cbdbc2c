import { useQuery } from '@tanstack/react-query';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Badge } from '../../components/ui/badge.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card.tsx';
import { Figures } from '../../components/ui/figures.tsx';
import { EmptyState } from '../../components/ui/empty-state.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { Table, TableHead, TBody, Td, Tr } from '../../components/ui/table.tsx';
import { formatAge, formatDateTime, formatDuration } from '../../lib/format.ts';

type Status = Schemas['GlobalManagerStatus'];
type Cycle = Status['cycles'][number];
type TaskOutcome = Cycle['tasks'][number]['outcome'];

const OUTCOME_TONE = { running: 'warning', succeeded: 'success', failed: 'danger', interrupted: 'danger', skipped: 'neutral' } as const satisfies Record<TaskOutcome, string>;

function Summary({ status }: { status: Status }) {
  const items: Array<[string, string]> = [
    ['Leader', status.leader ?? 'none'],
    ['Last fully successful cycle', formatDateTime(status.last_success_at)],
    ['Lag', status.lag_seconds === null ? '—' : formatAge(status.lag_seconds)],
  ];
  return <Figures mono className="grid-cols-1 sm:grid-cols-3" items={items} />;
}

function CycleCard({ cycle }: { cycle: Cycle }) {
  return (
    <Card data-cycle={cycle.cycle_id}>
      <CardHeader>
        <CardTitle className="flex flex-wrap items-center gap-2 text-base">
          Cycle of {formatDateTime(cycle.started_at)} <Badge tone={OUTCOME_TONE[cycle.outcome]}>{cycle.outcome}</Badge>
        </CardTitle>
        <CardDescription className="font-mono text-xs break-all">
          {cycle.cycle_id} · {cycle.runner}
        </CardDescription>
      </CardHeader>
      <CardContent>
        <Table label={`Tasks of cycle ${cycle.cycle_id}`}>
          <TableHead columns={['Task', 'Outcome', 'Duration', 'Counts']} />
          <TBody>
            {cycle.tasks.map((task) => (
              <Tr key={task.position} data-task={task.task}>
                <Td className="font-mono text-xs whitespace-nowrap">{task.task}</Td>
                <Td>
                  <Badge tone={OUTCOME_TONE[task.outcome]}>{task.outcome}</Badge>
                </Td>
                <Td className="text-xs whitespace-nowrap tabular-nums">{formatDuration(task.duration_ms)}</Td>
                <Td className="text-xs">
                  {Object.entries(task.counts)
                    .map(([name, count]) => `${name} ${count}`)
                    .join(' · ') || '—'}
                  {task.error && <p className="text-destructive break-words">{task.error}</p>}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      </CardContent>
    </Card>
  );
}

export function GlobalManagerPage() {
  const api = useApi();
  const status = useQuery({ queryKey: ['admin', 'global-manager'], queryFn: () => unwrap(api.client.GET('/api/admin/global-manager')), refetchInterval: 10_000 });
  const cycles = status.data?.cycles ?? [];
  return (
    <>
      <PageHeader title="Global manager" description="The single leader that runs the platform-wide tasks in cycles: who leads, the last cycles, each task's duration and outcome. Refreshed every 10 seconds." />
      <QueryState query={status} what="the global manager status" empty={false}>
        {status.data && <Summary status={status.data} />}
        {cycles.length === 0 ? (
          <EmptyState title="No cycle yet">No global manager has run a cycle on this database. Start one with <code>veridity global-manager</code>, or <code>serve</code> with <code>GLOBAL_MANAGER_EMBEDDED=true</code>.</EmptyState>
        ) : (
          cycles.map((cycle) => <CycleCard key={cycle.cycle_id} cycle={cycle} />)
        )}
      </QueryState>
    </>
  );
}
