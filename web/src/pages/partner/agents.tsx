import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Badge } from '../../components/ui/badge.tsx';
import { Button } from '../../components/ui/button.tsx';
import { Card, CardContent } from '../../components/ui/card.tsx';
import { Dialog } from '../../components/ui/dialog.tsx';
import { EmptyState } from '../../components/ui/empty-state.tsx';
import { Field, FilterSelect, Input } from '../../components/ui/input.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { Pagination, Table, TableHead, TBody, Td, Tr } from '../../components/ui/table.tsx';
import { ProblemAlert, useToast } from '../../components/ui/toast.tsx';
import { useCursorPages } from '../../lib/cursor-pages.ts';
import { formatDateTime } from '../../lib/format.ts';
import { AgentCardForm, CAPABILITIES, CAPABILITY_LABELS, toRegistrationBody, type Capability } from './agent-form.tsx';
import { formatShare } from './agent-reputation.tsx';

type Agent = Schemas['RegistryAgent'];
type AgentStatus = Agent['status'];

const PAGE_SIZE = 10;
/** Every query of the agent pages starts with this key: a change invalidates them all. */
export const AGENTS_KEY = ['partner', 'agents'] as const;
const STATUS_TONE = { verified: 'success', unverified: 'warning', deactivated: 'neutral' } as const satisfies Record<AgentStatus, string>;
const STATUS_OPTIONS = [['all', 'All'], ['verified', 'Verified'], ['unverified', 'Unverified'], ['deactivated', 'Deactivated']] as const satisfies ReadonlyArray<readonly [AgentStatus | 'all', string]>;
const CAPABILITY_OPTIONS: ReadonlyArray<readonly [Capability | 'all', string]> = [['all', 'All'], ...CAPABILITIES.map((value) => [value, CAPABILITY_LABELS[value]] as const)];

export function AgentStatusBadge({ status }: { status: AgentStatus }) {
  return <Badge tone={STATUS_TONE[status]}>{status}</Badge>;
}

function RegisterAgentDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  // One key per opened dialog: a submit repeated after a lost answer replays it instead of registering a twin.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const close = () => {
    register.reset();
    setIdempotencyKey(crypto.randomUUID());
    onClose();
  };
  const register = useMutation({
    mutationFn: (body: Schemas['AgentRegistration']) => unwrap(api.client.POST('/api/v1/agents', { body, params: { header: { 'idempotency-key': idempotencyKey } } })),
    onSuccess: async (agent) => {
      close();
      toast.success(`${agent.name} is registered`, 'It is unverified until its controller signs a challenge: do it on its page.');
      await queryClient.invalidateQueries({ queryKey: AGENTS_KEY });
      await navigate({ to: '/agents/$agentId', params: { agentId: agent.id } });
    },
  });
  return (
    <Dialog
      open={open}
      onClose={close}
      title="Register an agent"
      description="Its card is public once registered: others find it by capability and reputation. Ownership is proved next, by the controller's signature."
    >
      <div className="grid grid-cols-1 gap-4">
        {register.error && <ProblemAlert error={register.error} title="The agent was not registered" />}
        {open && <AgentCardForm submitLabel="Register agent" busy={register.isPending} onSubmit={(form) => register.mutate(toRegistrationBody(form))} onCancel={close} />}
      </div>
    </Dialog>
  );
}

/** The partner's registry agents (GET /api/v1/agents/mine): filters, cursor pages, registration. */
export function AgentsPage() {
  const api = useApi();
  const [registering, setRegistering] = useState(false);
  const [name, setName] = useState('');
  const [status, setStatus] = useState<AgentStatus | 'all'>('all');
  const [capability, setCapability] = useState<Capability | 'all'>('all');
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const typed = name.trim();
  const agents = useQuery({
    queryKey: [...AGENTS_KEY, 'list', { typed, status, capability, cursor }],
    queryFn: () =>
      unwrap(
        api.client.GET('/api/v1/agents/mine', {
          params: {
            query: {
              limit: PAGE_SIZE,
              ...(typed ? { name: typed } : {}),
              ...(status === 'all' ? {} : { status }),
              ...(capability === 'all' ? {} : { capability }),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    // While a filter is typed, the rows shown stay until the new ones arrive (no jump to "Loading").
    placeholderData: keepPreviousData,
  });
  const rows = agents.data?.data ?? [];
  const filtered = typed !== '' || status !== 'all' || capability !== 'all';
  const registerButton = <Button onClick={() => setRegistering(true)}>Register agent</Button>;
  return (
    <>
      <PageHeader
        title="Agents"
        description="Agents you registered in the agent registry: their public card, who controls them, their reputation, the feedback they received and their work history."
        actions={registerButton}
      />
      <Card>
        <CardContent className="grid grid-cols-1 gap-4 pt-5">
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-[1fr_11rem_14rem]">
            <Field label="Name">
              {(control) => (
                <Input
                  {...control}
                  type="search"
                  placeholder="Part of the name"
                  value={name}
                  onChange={(event) => {
                    setName(event.target.value);
                    pages.reset();
                  }}
                />
              )}
            </Field>
            <FilterSelect
              label="Status"
              value={status}
              options={STATUS_OPTIONS}
              onChange={(value) => {
                setStatus(value);
                pages.reset();
              }}
            />
            <FilterSelect
              label="Capability"
              value={capability}
              options={CAPABILITY_OPTIONS}
              onChange={(value) => {
                setCapability(value);
                pages.reset();
              }}
            />
          </div>
          <QueryState
            query={agents}
            what="your agents"
            empty={
              rows.length === 0 &&
              pages.page === 1 &&
              (filtered ? (
                <EmptyState title="No agent matches">Change the name, status or capability to see more of your agents.</EmptyState>
              ) : (
                <EmptyState title="No agents yet" action={registerButton}>
                  Register an agent with its capabilities and the account that controls it; then prove ownership with that account’s signature, so it is listed as verified.
                </EmptyState>
              ))
            }
          >
            <div>
              <Table label="Your agents">
                <TableHead columns={['Agent', 'Status', 'Capabilities', 'Reputation', 'Registered']} />
                <TBody>
                  {rows.map((agent) => (
                    <Tr key={agent.id} data-agent={agent.id}>
                      <Td>
                        <Link to="/agents/$agentId" params={{ agentId: agent.id }} className="font-medium underline-offset-4 hover:underline">
                          {agent.name}
                        </Link>
                        <p className="font-mono text-xs text-muted-foreground">{agent.id}</p>
                      </Td>
                      <Td>
                        <AgentStatusBadge status={agent.status} />
                      </Td>
                      <Td className="max-w-64 text-xs">{agent.capabilities.join(', ')}</Td>
                      <Td className="text-xs whitespace-nowrap">
                        {agent.reputation.score === null ? (
                          <span className="text-muted-foreground">no evidence</span>
                        ) : (
                          <>
                            <span className="font-medium tabular-nums">{formatShare(agent.reputation.score)}</span>{' '}
                            <span className="text-muted-foreground">confidence {formatShare(agent.reputation.confidence)}</span>
                          </>
                        )}
                      </Td>
                      <Td className="text-xs whitespace-nowrap">{formatDateTime(agent.created_at)}</Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
              <Pagination page={pages.page} hasNext={Boolean(agents.data?.next_cursor)} onPage={(page) => pages.go(page, agents.data?.next_cursor)} />
            </div>
          </QueryState>
        </CardContent>
      </Card>
      <RegisterAgentDialog open={registering} onClose={() => setRegistering(false)} />
    </>
  );
}
