import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useState } from 'react';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Badge } from '../../components/ui/badge.tsx';
import { Button, FormActions } from '../../components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card.tsx';
import { CopyButton } from '../../components/ui/copy.tsx';
import { ConfirmDialog, Dialog } from '../../components/ui/dialog.tsx';
import { EmptyState } from '../../components/ui/empty-state.tsx';
import { Field, Input, Textarea } from '../../components/ui/input.tsx';
import { JsonTree } from '../../components/ui/json-tree.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { Pagination, Table, TableHead, TBody, Td, Tr } from '../../components/ui/table.tsx';
import { ProblemAlert, useToast } from '../../components/ui/toast.tsx';
import { Detail, DetailList } from '../../components/ui/detail-list.tsx';
import { useCursorPages } from '../../lib/cursor-pages.ts';
import { downloadBlob, downloadText } from '../../lib/download.ts';
import { formatDateTime } from '../../lib/format.ts';
import { controllerWalletAvailable, signControllerChallenge, type ControllerSigning } from '../../lib/wallet.ts';
import { AgentCardForm, toUpdateBody } from './agent-form.tsx';
import { ReputationCard } from './agent-reputation.tsx';
import { AGENTS_KEY, AgentStatusBadge } from './agents.tsx';

type Agent = Schemas['RegistryAgent'];
type Feedback = Schemas['AgentFeedback'];
type Challenge = Schemas['AgentChallenge'];

const PAGE_SIZE = 10;
const STRENGTH_LABELS = { verified_work: 'on verified work', settlement: 'paid (x402)', bare: 'unbacked' } as const satisfies Record<Feedback['strength'], string>;
const signingOf = (controller: string): ControllerSigning => (controller.startsWith('did:pkh:solana:') ? 'solana-ed25519' : 'eip191');
const newKey = () => ({ 'idempotency-key': crypto.randomUUID() });

/** The agent as registered, its public card (ERC-8004 registration file) and its reputation badge. */
function RegistrationCard({ agent }: { agent: Agent }) {
  const api = useApi();
  const live = agent.status !== 'deactivated';
  const file = useQuery({
    queryKey: [...AGENTS_KEY, agent.id, 'registration-file', agent.updated_at],
    queryFn: () => unwrap(api.client.GET('/agents/{id}/registration.json', { params: { path: { id: agent.id } } })),
    enabled: live,
  });
  const badgeUrl = `${window.location.origin}/agents/${agent.id}/badge.svg`;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Card</CardTitle>
        <CardDescription>What the registry shows of the agent. Pricing hints and the TEE declaration change through the API (PATCH /api/v1/agents/{'{id}'}).</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <DetailList>
          <Detail label="Description">{agent.description || <span className="text-muted-foreground">none</span>}</Detail>
          <Detail label="Controller">
            <code className="text-xs break-all">{agent.controller}</code>
          </Detail>
          <Detail label="Ownership">{agent.verified_at ? `proved ${formatDateTime(agent.verified_at)}` : 'not proved'}</Detail>
          <Detail label="Capabilities">
            <span className="flex flex-wrap gap-1">
              {agent.capabilities.map((capability) => (
                <Badge key={capability}>{capability}</Badge>
              ))}
            </span>
          </Detail>
          <Detail label="Tags">{agent.tags.length > 0 ? agent.tags.join(', ') : <span className="text-muted-foreground">none</span>}</Detail>
          <Detail label="Endpoints">
            {agent.endpoints.length === 0 ? (
              <span className="text-muted-foreground">none</span>
            ) : (
              <ul className="grid grid-cols-1 gap-1">
                {agent.endpoints.map((endpoint) => (
                  <li key={`${endpoint.name} ${endpoint.endpoint}`}>
                    <span className="font-medium">{endpoint.name}</span> <code className="text-xs break-all">{endpoint.endpoint}</code>
                  </li>
                ))}
              </ul>
            )}
          </Detail>
          <Detail label="Pricing">
            {agent.pricing.length === 0 ? <span className="text-muted-foreground">none</span> : agent.pricing.map((price) => `${price.amount} ${price.currency} per ${price.unit}${price.x402 ? ' (x402)' : ''}`).join('; ')}
          </Detail>
          {agent.tee && (
            <Detail label="TEE app">
              <code className="text-xs break-all">{agent.tee.app_id}</code>
            </Detail>
          )}
          <Detail label="Registered">{formatDateTime(agent.created_at)}</Detail>
          {agent.deactivated_at && <Detail label="Deactivated">{formatDateTime(agent.deactivated_at)}</Detail>}
        </DetailList>
        {live && (
          <>
            <div className="grid grid-cols-1 gap-2">
              <p className="text-sm font-medium">Reputation badge</p>
              <img src={`/agents/${agent.id}/badge.svg`} alt={`Reputation badge of ${agent.name}`} className="h-5 w-fit" />
              <div className="flex flex-wrap items-center gap-2">
                <code className="min-w-0 flex-1 rounded bg-muted px-2 py-1.5 text-xs break-all">{badgeUrl}</code>
                <CopyButton value={badgeUrl} label="Copy badge URL" />
              </div>
              <p className="text-xs text-muted-foreground">
                Embed it where the agent is offered; the signed version (JWS) is at <code className="break-all">/agents/{agent.id}/badge.json</code>.
              </p>
            </div>
            <div className="grid grid-cols-1 gap-2">
              <p className="flex flex-wrap items-baseline gap-2 text-sm font-medium">
                Registration file (ERC-8004)
                <a className="text-xs font-normal underline" href={agent.registration_url}>
                  Open registration.json
                </a>
              </p>
              {file.isError ? <ProblemAlert error={file.error} title="Could not load the registration file" /> : file.data ? <JsonTree value={file.data} label="Registration file" /> : <p className="text-sm text-muted-foreground">Loading…</p>}
            </div>
          </>
        )}
      </CardContent>
    </Card>
  );
}

/**
 * Proving ownership of an unverified agent: a challenge bound to it, signed by the controller's
 * account — with the browser's wallet when it holds that account, or anywhere else (the CLI, a
 * hardware wallet) and pasted here.
 */
function OwnershipCard({ agent }: { agent: Agent }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const signing = signingOf(agent.controller);
  const [challenge, setChallenge] = useState<Challenge | undefined>();
  const [signature, setSignature] = useState('');
  const askChallenge = () => unwrap(api.client.POST('/api/v1/agents/challenge', { body: { agent_id: agent.id }, params: { header: newKey() } }));
  const verify = (proof: { challenge_id: string; signature: string }) =>
    unwrap(api.client.POST('/api/v1/agents/{id}/verify', { body: proof, params: { path: { id: agent.id }, header: newKey() } }));
  const verified = async (result: Agent) => {
    toast.success(`${result.name} is verified`, 'Its controller’s signature proves the ownership; searches can filter on it.');
    setChallenge(undefined);
    await queryClient.invalidateQueries({ queryKey: AGENTS_KEY });
  };
  const withWallet = useMutation({
    mutationFn: async () => {
      const asked = await askChallenge();
      return verify({ challenge_id: asked.id, signature: await signControllerChallenge(signing, agent.controller, asked.message) });
    },
    onSuccess: verified,
  });
  const ask = useMutation({ mutationFn: askChallenge, onSuccess: (asked) => (setChallenge(asked), setSignature('')) });
  const pasted = useMutation({ mutationFn: (proof: { challenge_id: string; signature: string }) => verify(proof), onSuccess: verified });
  const error = withWallet.error ?? ask.error ?? pasted.error;
  const wallet = signing === 'eip191' ? 'Ethereum wallet' : 'Solana wallet';
  return (
    <Card>
      <CardHeader>
        <CardTitle>Prove ownership</CardTitle>
        <CardDescription>
          The agent is unverified: nothing shows yet that you control <code className="break-all">{agent.controller}</code>. Its account signs a one-time challenge ({signing === 'eip191' ? 'EIP-191 personal_sign' : 'Ed25519, Solana signMessage'}),
          valid 10 minutes.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        {error && <ProblemAlert error={error} title="Ownership not proved" />}
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => withWallet.mutate()} busy={withWallet.isPending} disabled={!controllerWalletAvailable(signing)}>
            Sign with {wallet}
          </Button>
          <Button variant="outline" onClick={() => ask.mutate()} busy={ask.isPending}>
            Sign elsewhere
          </Button>
        </div>
        {!controllerWalletAvailable(signing) && <p className="text-xs text-muted-foreground">No {wallet} in this browser: sign elsewhere.</p>}
        {challenge && (
          <form
            className="grid grid-cols-1 gap-3"
            aria-label="Signature of the challenge"
            onSubmit={(event) => {
              event.preventDefault();
              pasted.mutate({ challenge_id: challenge.id, signature: signature.trim() });
            }}
          >
            <p className="text-sm">Sign this message exactly, with the controller’s account, before {formatDateTime(challenge.expires_at)}:</p>
            <pre className="overflow-x-auto rounded-md border bg-muted p-3 text-xs" tabIndex={0} role="region" aria-label="Challenge message">
              {challenge.message}
            </pre>
            <div className="flex flex-wrap gap-2">
              <CopyButton value={challenge.message} label="Copy message" />
              <Button variant="outline" size="sm" onClick={() => downloadText(`${challenge.id}.txt`, challenge.message)}>
                Download message
              </Button>
            </div>
            <p className="text-xs text-muted-foreground">
              With the repository’s CLI and the controller’s key file: <code className="break-all">bin/veridity registry sign --key controller.json --message-file {challenge.id}.txt</code>
            </p>
            <Field label="Signature" hint={signing === 'eip191' ? '0x-hex, as personal_sign returns it' : 'base58, as the CLI prints it'}>
              {(control) => <Input {...control} value={signature} onChange={(event) => setSignature(event.target.value)} autoComplete="off" spellCheck={false} className="font-mono" />}
            </Field>
            <div>
              <Button type="submit" busy={pasted.isPending} disabled={signature.trim() === ''}>
                Verify signature
              </Button>
            </div>
          </form>
        )}
      </CardContent>
    </Card>
  );
}

function RespondDialog({ agentId, feedback, onClose }: { agentId: string; feedback: Feedback | undefined; onClose: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [text, setText] = useState('');
  const close = () => {
    respond.reset();
    setText('');
    onClose();
  };
  const respond = useMutation({
    mutationFn: (response: string) =>
      unwrap(api.client.POST('/api/v1/agents/{id}/feedback/{feedback_id}/response', { body: { response }, params: { path: { id: agentId, feedback_id: feedback!.id }, header: newKey() } })),
    onSuccess: async () => {
      close();
      toast.success('Response published', 'It is shown beside the feedback, publicly.');
      await queryClient.invalidateQueries({ queryKey: [...AGENTS_KEY, agentId, 'feedback'] });
    },
  });
  return (
    <Dialog open={feedback !== undefined} onClose={close} title="Respond to feedback" description="Your answer is public, beside the feedback. You answer each feedback once.">
      {feedback && (
        <form
          className="grid grid-cols-1 gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            respond.mutate(text.trim());
          }}
        >
          <blockquote className="border-l-2 pl-3 text-sm">
            <p className="font-medium">{feedback.score} / 100</p>
            {feedback.comment && <p className="text-muted-foreground">{feedback.comment}</p>}
          </blockquote>
          {respond.error && <ProblemAlert error={respond.error} title="The response was not published" />}
          <Field label="Response" hint="At most 2000 characters.">
            {(control) => <Textarea {...control} value={text} maxLength={2000} onChange={(event) => setText(event.target.value)} className="font-sans" />}
          </Field>
          <FormActions submitLabel="Publish response" busy={respond.isPending} onCancel={close} disabled={text.trim() === ''} />
        </form>
      )}
    </Dialog>
  );
}

function FeedbackCard({ agent }: { agent: Agent }) {
  const api = useApi();
  const pages = useCursorPages();
  const [responding, setResponding] = useState<Feedback | undefined>();
  const cursor = pages.cursor;
  const feedback = useQuery({
    queryKey: [...AGENTS_KEY, agent.id, 'feedback', cursor],
    queryFn: () => unwrap(api.client.GET('/api/v1/agents/{id}/feedback', { params: { path: { id: agent.id }, query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  });
  const rows = feedback.data?.data ?? [];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Feedback</CardTitle>
        <CardDescription>What partners said of the agent, newest first (revoked feedback leaves the list). Public, as your responses are; authors are not named.</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <QueryState
          query={feedback}
          what="the feedback"
          empty={
            rows.length === 0 &&
            pages.page === 1 && <EmptyState title="No feedback yet">Partners who used the agent give it with <code className="break-all">POST /api/v1/agents/{agent.id}/feedback</code>; feedback on a paid or verified piece of work weighs most.</EmptyState>
          }
        >
          <div>
            <ul className="grid grid-cols-1 gap-3">
              {rows.map((item) => (
                <li key={item.id} data-feedback={item.id} className="grid grid-cols-1 gap-2 rounded-md border p-3">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-semibold tabular-nums">{item.score} / 100</span>
                    <Badge tone={item.strength === 'bare' ? 'neutral' : 'success'}>{STRENGTH_LABELS[item.strength]}</Badge>
                    {item.self && <Badge tone="warning">self: ignored</Badge>}
                    {item.tags.map((tag) => (
                      <Badge key={tag}>{tag}</Badge>
                    ))}
                    <span className="ml-auto text-xs text-muted-foreground">{formatDateTime(item.created_at)}</span>
                  </div>
                  {item.comment && <p className="text-sm break-words">{item.comment}</p>}
                  <p className="font-mono text-xs text-muted-foreground">{item.id}</p>
                  {item.response ? (
                    <div className="rounded-md bg-muted p-2 text-sm" data-response>
                      <p className="text-xs text-muted-foreground">Your response, {formatDateTime(item.responded_at)}</p>
                      <p className="break-words">{item.response}</p>
                    </div>
                  ) : (
                    <div>
                      <Button variant="outline" size="sm" aria-label={`Respond to feedback ${item.id}`} onClick={() => setResponding(item)}>
                        Respond
                      </Button>
                    </div>
                  )}
                </li>
              ))}
            </ul>
            <Pagination page={pages.page} hasNext={Boolean(feedback.data?.next_cursor)} onPage={(page) => pages.go(page, feedback.data?.next_cursor)} />
          </div>
        </QueryState>
      </CardContent>
      <RespondDialog agentId={agent.id} feedback={responding} onClose={() => setResponding(undefined)} />
    </Card>
  );
}

function WorkCard({ agent }: { agent: Agent }) {
  const api = useApi();
  const toast = useToast();
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const work = useQuery({
    queryKey: [...AGENTS_KEY, agent.id, 'work', cursor],
    queryFn: () => unwrap(api.client.GET('/api/v1/agents/{id}/work', { params: { path: { id: agent.id }, query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  });
  const car = useMutation({
    mutationFn: () => unwrap(api.client.GET('/api/v1/agents/{id}/work-history.car', { params: { path: { id: agent.id } }, parseAs: 'blob' })),
    onSuccess: (blob) => downloadBlob(`${agent.id}-work-history.car`, blob as Blob),
    onError: (error) => toast.problem(error, 'Could not download the work history'),
  });
  const rows = work.data?.data ?? [];
  const head = work.data?.head_cid;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Work history</CardTitle>
        <CardDescription>Each unit of work rests on evidence Veridity verified (a proof, a TEE task, a certificate) and links the previous record’s CID: the whole chain downloads as a CAR file, checked offline with veridity registry check-car.</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        {head && (
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <span className="text-muted-foreground">Head CID</span>
            <code className="min-w-0 text-xs break-all" data-head-cid>
              {head}
            </code>
            <Button variant="outline" size="sm" className="ml-auto" busy={car.isPending} onClick={() => car.mutate()}>
              Download .car
            </Button>
          </div>
        )}
        <QueryState
          query={work}
          what="the work history"
          empty={rows.length === 0 && pages.page === 1 && <EmptyState title="No work recorded yet">Record a unit of work with <code className="break-all">POST /api/v1/agents/{agent.id}/work</code>, naming the verified evidence it rests on.</EmptyState>}
        >
          <div>
            <Table label="Work records">
              <TableHead columns={['#', 'Work', 'Outcome', 'Evidence', 'Recorded']} />
              <TBody>
                {rows.map((record) => (
                  <Tr key={record.id} data-work={record.id}>
                    <Td className="tabular-nums">{record.seq}</Td>
                    <Td>
                      <p className="font-medium">{record.summary || record.capability || 'Work'}</p>
                      <p className="font-mono text-xs text-muted-foreground">{record.id}</p>
                      <p className="font-mono text-xs break-all text-muted-foreground">{record.cid}</p>
                    </Td>
                    <Td>
                      <Badge tone={record.outcome === 'succeeded' ? 'success' : 'danger'}>{record.outcome}</Badge>
                    </Td>
                    <Td className="text-xs">
                      <p>{record.evidence.kind.replace('_', ' ')}</p>
                      <p className="font-mono break-all text-muted-foreground">{record.evidence.ledger_id}</p>
                      <p className="text-muted-foreground">{record.validations.length} validation{record.validations.length === 1 ? '' : 's'}</p>
                    </Td>
                    <Td className="text-xs whitespace-nowrap">{formatDateTime(record.recorded_at)}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
            <Pagination page={pages.page} hasNext={Boolean(work.data?.next_cursor)} onPage={(page) => pages.go(page, work.data?.next_cursor)} />
          </div>
        </QueryState>
      </CardContent>
    </Card>
  );
}

function EditAgentDialog({ agent, open, onClose }: { agent: Agent; open: boolean; onClose: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const close = () => {
    update.reset();
    onClose();
  };
  const update = useMutation({
    mutationFn: (body: Schemas['AgentUpdate']) => unwrap(api.client.PATCH('/api/v1/agents/{id}', { body, params: { path: { id: agent.id } } })),
    onSuccess: async (updated) => {
      close();
      toast.success('Changes saved', updated.status === 'unverified' && agent.status === 'verified' ? 'The controller changed: prove ownership again.' : `${updated.name} is up to date.`);
      await queryClient.invalidateQueries({ queryKey: AGENTS_KEY });
    },
  });
  return (
    <Dialog open={open} onClose={close} title={`Edit ${agent.name}`} description="Only what you change is sent.">
      <div className="grid grid-cols-1 gap-4">
        {update.error && <ProblemAlert error={update.error} title="The changes were not saved" />}
        {open && (
          <AgentCardForm
            agent={agent}
            submitLabel="Save changes"
            busy={update.isPending}
            onSubmit={(form) => {
              const body = toUpdateBody(form, agent);
              if (body) update.mutate(body);
              else close();
            }}
            onCancel={close}
          />
        )}
      </div>
    </Dialog>
  );
}

/** One of the partner's agents: its card, ownership, reputation, feedback and work; edit and deactivate. */
export function AgentDetailPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { agentId = '' } = useParams({ strict: false });
  const [editing, setEditing] = useState(false);
  const [confirmDeactivate, setConfirmDeactivate] = useState(false);
  const agent = useQuery({
    queryKey: [...AGENTS_KEY, agentId],
    queryFn: () => unwrap(api.client.GET('/api/v1/agents/{id}', { params: { path: { id: agentId } } })),
  });
  const deactivate = useMutation({
    mutationFn: () => unwrap(api.client.DELETE('/api/v1/agents/{id}', { params: { path: { id: agentId } } })),
    onSettled: () => setConfirmDeactivate(false),
    onSuccess: async (result) => {
      toast.success(`${result.name} is deactivated`, 'It has left the public registry.');
      // The page shows the deactivated agent at once, which unmounts the cards of its public routes
      // (they answer 404 now) before anything asks them again; only the lists are refetched.
      queryClient.setQueryData([...AGENTS_KEY, agentId], result);
      await queryClient.invalidateQueries({ queryKey: [...AGENTS_KEY, 'list'] });
    },
    onError: (error) => toast.problem(error, 'Could not deactivate the agent'),
  });
  const data = agent.data;
  const back = (
    <Link to="/agents" className="text-sm underline underline-offset-4">
      All agents
    </Link>
  );
  return (
    <>
      <PageHeader
        title={data?.name ?? 'Agent'}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <code className="text-xs break-all">{agentId}</code>
            {data && <AgentStatusBadge status={data.status} />}
            {back}
          </span>
        }
        actions={
          data &&
          data.status !== 'deactivated' && (
            <>
              <Button variant="outline" onClick={() => setEditing(true)}>
                Edit
              </Button>
              <Button variant="destructive" onClick={() => setConfirmDeactivate(true)}>
                Deactivate
              </Button>
            </>
          )
        }
      />
      <QueryState query={agent} what="the agent" empty={false}>
        {data && (
          <>
            {data.status === 'unverified' && <OwnershipCard agent={data} />}
            <RegistrationCard agent={data} />
            {data.status === 'deactivated' ? (
              <EmptyState title="Deactivated">It has left the public registry: searches no longer find it, and its card, badge, reputation, feedback and work history are no longer served.</EmptyState>
            ) : (
              <>
                <ReputationCard agentId={data.id} />
                <FeedbackCard agent={data} />
                <WorkCard agent={data} />
              </>
            )}
            <EditAgentDialog agent={data} open={editing} onClose={() => setEditing(false)} />
            <ConfirmDialog
              open={confirmDeactivate}
              title={`Deactivate ${data.name}?`}
              description="It leaves the public registry at once and takes no more changes; this cannot be undone. It stays listed among your agents, deactivated."
              confirmLabel="Deactivate agent"
              destructive
              busy={deactivate.isPending}
              onConfirm={() => deactivate.mutate()}
              onCancel={() => setConfirmDeactivate(false)}
            />
          </>
        )}
      </QueryState>
    </>
  );
}
