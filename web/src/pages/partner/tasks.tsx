import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Badge } from '../../components/ui/badge.tsx';
import { Button } from '../../components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card.tsx';
import { CopyButton } from '../../components/ui/copy.tsx';
import { StatusFilterEmptyState } from '../../components/ui/empty-state.tsx';
import { allOr, Field, FilterSelect, Input, Select } from '../../components/ui/input.tsx';
import { JsonTree } from '../../components/ui/json-tree.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { NameCell, Pagination, Table, TBody, Td, Th, THead, Tr } from '../../components/ui/table.tsx';
import { ProblemAlert, useToast } from '../../components/ui/toast.tsx';
import { Detail, DetailList } from '../../components/ui/detail-list.tsx';
import { downloadText } from '../../lib/download.ts';
import { formatDateTime, sentenceCase } from '../../lib/format.ts';

type Task = Schemas['Task'];
type TaskStatus = Task['status'];
type Evidence = Schemas['AttestationEvidence'];

const PAGE_SIZE = 10;
const POLL_MS = 1500;
/** The API refuses evidence over 192 KiB; a file far bigger is not worth reading. */
const MAX_EVIDENCE_FILE_BYTES = 1024 * 1024;
const TASKS_KEY = ['partner', 'tasks'] as const;
const STATUS_TONE = { pending: 'warning', active: 'warning', completed: 'success', failed: 'danger', cancelled: 'neutral' } as const satisfies Record<TaskStatus, string>;
const STATUSES = Object.keys(STATUS_TONE) as TaskStatus[];
const settled = (status: TaskStatus | undefined) => status !== 'pending' && status !== 'active';

const taskForm = z.object({
  appId: z.string().trim().min(1, 'Give the app id the evidence is for'),
  appName: z.string().trim().min(1, 'Give the app a name'),
  appConfigType: z.enum(['phala_cloud', 'redpill']),
});
type TaskForm = z.infer<typeof taskForm>;

/** The picked file as evidence: a JSON object (quote, collateral, eventLog, ...), as POST /api/v1/tasks takes it. */
async function readEvidence(file: File): Promise<{ ok: true; evidence: Evidence } | { ok: false; message: string }> {
  if (file.size > MAX_EVIDENCE_FILE_BYTES) return { ok: false, message: `${file.name} is ${file.size} bytes: evidence is at most 192 KiB` };
  try {
    const value: unknown = JSON.parse(await file.text());
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: `${file.name} is not a JSON object` };
    return { ok: true, evidence: value as Evidence };
  } catch {
    return { ok: false, message: `${file.name} is not JSON` };
  }
}

function SubmitCard({ onSubmitted }: { onSubmitted: (id: string) => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [evidence, setEvidence] = useState<{ name: string; evidence: Evidence } | undefined>();
  const [fileError, setFileError] = useState<string | undefined>();
  const { register, handleSubmit, formState } = useForm<TaskForm>({ resolver: zodResolver(taskForm), defaultValues: { appId: '', appName: '', appConfigType: 'phala_cloud' } });
  const submit = useMutation({
    mutationFn: (body: Schemas['TaskCreate']) => unwrap(api.client.POST('/api/v1/tasks', { body, params: { header: { 'idempotency-key': crypto.randomUUID() } } })),
    onSuccess: async (task) => {
      toast.success('Evidence submitted', `Task ${task.id} is pending: a worker verifies it.`);
      await queryClient.invalidateQueries({ queryKey: TASKS_KEY });
      onSubmitted(task.id);
    },
  });
  const onSubmit = (event: FormEvent) => {
    // Said together with the fields' own errors, not after they are fixed.
    if (!evidence && !fileError) setFileError('Choose the evidence file');
    void handleSubmit((values) => evidence && submit.mutate({ ...values, evidence: evidence.evidence }))(event);
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Submit evidence</CardTitle>
        <CardDescription>A JSON file with a DCAP quote (TDX or SGX) and optional collateral, or dstack evidence: the same fields as POST /api/v1/tasks takes under evidence.</CardDescription>
      </CardHeader>
      <CardContent>
        <form className="grid grid-cols-1 gap-4 sm:grid-cols-2" onSubmit={onSubmit} noValidate>
          <Field label="App id" error={formState.errors.appId?.message}>
            {(control) => <Input {...control} {...register('appId')} autoComplete="off" />}
          </Field>
          <Field label="App name" error={formState.errors.appName?.message}>
            {(control) => <Input {...control} {...register('appName')} autoComplete="off" />}
          </Field>
          <Field label="App type">
            {(control) => (
              <Select {...control} {...register('appConfigType')}>
                <option value="phala_cloud">Phala Cloud</option>
                <option value="redpill">RedPill</option>
              </Select>
            )}
          </Field>
          <Field label="Evidence file" hint={evidence ? `${evidence.name}: ${Object.keys(evidence.evidence).join(', ')}` : 'JSON, at most 192 KiB'} error={fileError}>
            {(control) => (
              <Input
                {...control}
                type="file"
                accept="application/json,.json"
                onChange={async (event) => {
                  const file = event.target.files?.[0];
                  setEvidence(undefined);
                  setFileError(undefined);
                  if (!file) return;
                  const read = await readEvidence(file);
                  if (read.ok) setEvidence({ name: file.name, evidence: read.evidence });
                  else setFileError(read.message);
                }}
              />
            )}
          </Field>
          {submit.isError && (
            <div className="sm:col-span-2">
              <ProblemAlert error={submit.error} title="The evidence was not accepted" />
            </div>
          )}
          <div className="sm:col-span-2">
            <Button type="submit" busy={submit.isPending}>
              Submit evidence
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

function TasksCard({ selected, onSelect }: { selected: string | undefined; onSelect: (id: string) => void }) {
  const api = useApi();
  const [status, setStatus] = useState<TaskStatus | 'all'>('all');
  // Cursor pages: the cursor of each page visited, so Previous goes back without a total count.
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const cursor = cursors.at(-1);
  const tasks = useQuery({
    queryKey: [...TASKS_KEY, 'list', status, cursor],
    queryFn: () => unwrap(api.client.GET('/api/v1/tasks', { params: { query: { limit: PAGE_SIZE, ...(status === 'all' ? {} : { status }), ...(cursor ? { cursor } : {}) } } })),
    refetchInterval: (query) => (query.state.data?.data.some((task) => !settled(task.status)) ? POLL_MS : false),
  });
  const rows = tasks.data?.data ?? [];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Tasks</CardTitle>
        <CardDescription>Newest first. Pending tasks wait for a worker; this list follows them until they settle.</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <div className="max-w-48">
          <FilterSelect
            label="Status"
            value={status}
            options={allOr(STATUSES, sentenceCase)}
            onChange={(value) => {
              setStatus(value);
              setCursors([undefined]);
            }}
          />
        </div>
        <QueryState
          query={tasks}
          what="the tasks"
          empty={
            rows.length === 0 &&
            cursors.length === 1 && (
              <StatusFilterEmptyState status={status} noun="tasks" whatFillsIt="Submit attestation evidence above: its task and verdict appear here." />
            )
          }
        >
          <div>
            <Table label="TEE tasks">
              <THead>
                <Tr>
                  <Th>Task</Th>
                  <Th>Status</Th>
                  <Th>Verdict</Th>
                  <Th>Created</Th>
                  <Th aria-label="Actions" />
                </Tr>
              </THead>
              <TBody>
                {rows.map((task) => (
                  <Tr key={task.id} data-task={task.id} data-status={task.status}>
                    <NameCell name={task.appName} id={task.id} />
                    <Td>
                      <Badge tone={STATUS_TONE[task.status]}>{task.status}</Badge>
                    </Td>
                    <Td>
                      <Verdict task={task} />
                    </Td>
                    <Td className="text-xs whitespace-nowrap">{formatDateTime(task.createdAt)}</Td>
                    <Td>
                      {/* aria-label, not a visually hidden span: one positioned outside the scrolling table would widen the page. */}
                      <Button variant={selected === task.id ? 'default' : 'ghost'} size="sm" aria-pressed={selected === task.id} aria-label={`Details of ${task.id}`} onClick={() => onSelect(task.id)}>
                        Details
                      </Button>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
            <Pagination
              page={cursors.length}
              hasNext={Boolean(tasks.data?.nextCursor)}
              onPage={(page) => setCursors(page > cursors.length ? [...cursors, tasks.data?.nextCursor ?? undefined] : cursors.slice(0, page))}
            />
          </div>
        </QueryState>
      </CardContent>
    </Card>
  );
}

function Verdict({ task }: { task: Task }) {
  if (task.isValid === true) return <Badge tone="success">valid</Badge>;
  if (task.isValid === false) return <Badge tone="danger">invalid</Badge>;
  if (task.errorCode) return <span className="font-mono text-xs text-destructive">{task.errorCode}</span>;
  return <span className="text-muted-foreground">—</span>;
}

function TaskDetail({ id }: { id: string }) {
  const api = useApi();
  const task = useQuery({
    queryKey: [...TASKS_KEY, 'one', id],
    queryFn: () => unwrap(api.client.GET('/api/v1/tasks/{id}', { params: { path: { id } } })),
    // Watch it move: pending -> active -> completed or failed.
    refetchInterval: (query) => (settled(query.state.data?.status) ? false : POLL_MS),
  });
  const data = task.data;
  const document = useQuery({
    queryKey: [...TASKS_KEY, 'result', id],
    queryFn: () => unwrap(api.client.GET('/api/v1/tasks/{id}/result', { params: { path: { id } } })),
    enabled: Boolean(data?.resultSha256),
  });
  const receipt = useMutation({
    mutationFn: () => unwrap(api.client.GET('/api/v1/receipts/{id}', { params: { path: { id } }, parseAs: 'text' })),
    onSuccess: (text) => downloadText(`${id}.receipt`, text),
  });
  return (
    <Card aria-labelledby="task-detail" data-task-detail={id} data-status={data?.status}>
      <CardHeader>
        <CardTitle id="task-detail">
          Task <span className="font-mono break-all">{id}</span>
        </CardTitle>
        {data && (
          <div role="status" className="flex flex-wrap items-center gap-2 text-sm">
            <Badge tone={STATUS_TONE[data.status]}>{data.status}</Badge>
            <Verdict task={data} />
            {!settled(data.status) && <span className="text-muted-foreground">Waiting for a worker…</span>}
          </div>
        )}
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-5">
        {task.isError && <ProblemAlert error={task.error} title="Could not load the task" />}
        {data && (
          <DetailList>
            <Detail label="App" className="break-all">
              {data.appName} <code className="text-xs">{data.appId}</code>
            </Detail>
            <Detail label="Created">{formatDateTime(data.createdAt)}</Detail>
            <Detail label="Finished">{formatDateTime(data.finishedAt)}</Detail>
            <Detail label="Evidence SHA-256" className="font-mono text-xs break-all">{data.evidenceSha256}</Detail>
            {data.result?.reason && (
              <Detail label="Reason">{data.result.reason}</Detail>
            )}
            {data.errorCode && (
              <Detail label="Error" className="text-destructive">
                <code>{data.errorCode}</code>: {data.errorMessage}
              </Detail>
            )}
          </DetailList>
        )}
        {data?.attestationResult && (
          <section aria-labelledby="signed-result" className="grid grid-cols-1 gap-2">
            <h3 id="signed-result" className="font-medium">
              Signed attestation result
            </h3>
            <p className="text-sm text-muted-foreground">A JWT signed with a key from /api/v1/attestation-results/jwks.json; its veridity.result_sha256 is the document's hash below.</p>
            <pre className="max-h-32 overflow-auto rounded-md bg-muted p-2 text-xs break-all whitespace-pre-wrap" data-testid="attestation-result" tabIndex={0} aria-label="Signed attestation result (JWT)">
              {data.attestationResult}
            </pre>
            <div className="flex flex-wrap gap-2">
              <CopyButton value={data.attestationResult} label="Copy signed result" />
              <Button variant="outline" size="sm" onClick={() => downloadText(`${id}.jwt`, data.attestationResult!, 'application/jwt')}>
                Download signed result
              </Button>
              {data.receiptUrl && (
                <Button variant="outline" size="sm" busy={receipt.isPending} onClick={() => receipt.mutate()}>
                  Download ledger receipt
                </Button>
              )}
            </div>
            {receipt.isError && <ProblemAlert error={receipt.error} title="Could not fetch the receipt" />}
          </section>
        )}
        {data?.resultSha256 && (
          <section aria-labelledby="result-document" className="grid grid-cols-1 gap-2">
            <h3 id="result-document" className="font-medium">
              Result document
            </h3>
            <p className="font-mono text-xs break-all text-muted-foreground">SHA-256 {data.resultSha256}</p>
            {document.isError ? (
              <ProblemAlert error={document.error} title="Could not load the result document" />
            ) : document.data ? (
              <>
                <JsonTree value={document.data} label="Result document" />
                <div>
                  <Button variant="outline" size="sm" onClick={() => downloadText(`${id}.result.json`, JSON.stringify(document.data, null, 2), 'application/json')}>
                    Download result document
                  </Button>
                </div>
              </>
            ) : (
              <p className="text-sm text-muted-foreground">Loading the result document…</p>
            )}
          </section>
        )}
      </CardContent>
    </Card>
  );
}

export function TasksPage() {
  const [selected, setSelected] = useState<string | undefined>();
  return (
    <>
      <PageHeader title="TEE tasks" description="Attestation evidence you submitted, its verification and the signed result." />
      <SubmitCard onSubmitted={setSelected} />
      {selected && <TaskDetail key={selected} id={selected} />}
      <TasksCard selected={selected} onSelect={setSelected} />
    </>
  );
}
