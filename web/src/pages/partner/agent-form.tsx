import { zodResolver } from '@hookform/resolvers/zod';
import { useFieldArray, useForm } from 'react-hook-form';
import { z } from 'zod';
import type { paths } from '../../../../sdk/client/src/openapi.d.ts';
import type { Schemas } from '../../api/client.ts';
import { Button, FormActions } from '../../components/ui/button.tsx';
import { CheckboxGroup, Field, Input, Select, Textarea } from '../../components/ui/input.tsx';

type Agent = Schemas['RegistryAgent'];
type Endpoint = NonNullable<Schemas['AgentRegistration']['endpoints']>[number];
export type Capability = NonNullable<NonNullable<paths['/api/v1/agents/mine']['get']['parameters']['query']>['capability']>;

/** The registry's capability vocabulary as the contract states it (a Record: a capability added to the API fails the type check until it is named here). */
export const CAPABILITY_LABELS: Record<Capability, string> = {
  'nlp.summarization': 'Summarization',
  'nlp.translation': 'Translation',
  'nlp.classification': 'Text classification',
  'nlp.extraction': 'Information extraction',
  'nlp.question-answering': 'Question answering',
  'code.generation': 'Code generation',
  'code.review': 'Code review',
  'audit.smart-contract': 'Smart-contract audit',
  'audit.security': 'Security audit',
  'data.labeling': 'Data labeling',
  'data.cleaning': 'Data cleaning',
  'data.analysis': 'Data analysis',
  'data.scraping': 'Web scraping',
  'vision.classification': 'Image classification',
  'vision.ocr': 'OCR',
  'speech.transcription': 'Transcription',
  'speech.synthesis': 'Speech synthesis',
  'finance.trading': 'Trading',
  'finance.risk-analysis': 'Risk analysis',
  'oracle.price-feed': 'Price feed',
  'research.web': 'Web research',
  'orchestration.swarm': 'Agent orchestration',
};
export const CAPABILITIES = Object.keys(CAPABILITY_LABELS) as Capability[];

const ENDPOINT_NAMES = ['A2A', 'MCP', 'web', 'DID', 'agentWallet'] as const satisfies ReadonlyArray<Endpoint['name']>;
const TAG = /^[a-z0-9][a-z0-9.+_-]{0,49}$/;

/** Tags as typed: separated by commas or spaces, lowercased, each once. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((tag) => tag.trim().toLowerCase()).filter(Boolean))];
}

export const AgentFormSchema = z.object({
  name: z.string().trim().min(1, 'Give the agent a name').max(200, 'At most 200 characters'),
  description: z.string().trim().max(4000, 'At most 4000 characters'),
  capabilities: z.array(z.enum(CAPABILITIES as [Capability, ...Capability[]])).min(1, 'Choose at least one capability').max(20, 'At most 20 capabilities'),
  tags: z.string().refine((text) => parseTags(text).every((tag) => TAG.test(tag)), 'Lowercase letters, digits and . + _ -, at most 50 each').refine((text) => parseTags(text).length <= 20, 'At most 20 tags'),
  endpoints: z.array(z.object({ name: z.enum(ENDPOINT_NAMES), endpoint: z.string().trim().min(1, 'Give the endpoint, or remove the row').max(2048, 'At most 2048 characters') })).max(20),
  controller: z
    .string()
    .trim()
    .regex(/^did:pkh:(eip155:[0-9]+:0x[0-9a-fA-F]{40}|solana:[1-9A-HJ-NP-Za-km-z]{32}:[1-9A-HJ-NP-Za-km-z]{32,44})$/, 'A did:pkh of an EVM account (did:pkh:eip155:1:0x…) or a Solana one (did:pkh:solana:<genesis>:<address>)'),
});
export type AgentForm = z.infer<typeof AgentFormSchema>;

/** The form's values for a new agent, or the agent as it is. */
export function agentFormValues(agent?: Agent): AgentForm {
  if (!agent) return { name: '', description: '', capabilities: [], tags: '', endpoints: [], controller: '' };
  return {
    name: agent.name,
    description: agent.description,
    capabilities: agent.capabilities.filter((value): value is Capability => value in CAPABILITY_LABELS),
    tags: agent.tags.join(', '),
    endpoints: agent.endpoints.map((endpoint) => ({ name: endpoint.name as Endpoint['name'], endpoint: endpoint.endpoint })),
    controller: agent.controller,
  };
}

const endpointsOf = (form: AgentForm): Endpoint[] => form.endpoints.map(({ name, endpoint }) => ({ name, endpoint }));

export function toRegistrationBody(form: AgentForm): Schemas['AgentRegistration'] {
  return {
    name: form.name,
    capabilities: form.capabilities,
    controller: form.controller,
    ...(form.description ? { description: form.description } : {}),
    ...(form.tags.trim() ? { tags: parseTags(form.tags) } : {}),
    ...(form.endpoints.length > 0 ? { endpoints: endpointsOf(form) } : {}),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The PATCH body: only what the form changed (an endpoint's version, pricing and the TEE
 * declaration, which the form does not show, are kept); undefined when nothing changed.
 */
export function toUpdateBody(form: AgentForm, agent: Agent): Schemas['AgentUpdate'] | undefined {
  const body: Schemas['AgentUpdate'] = {};
  if (form.name !== agent.name) body.name = form.name;
  if (form.description !== agent.description) body.description = form.description;
  if (!same(form.capabilities, agent.capabilities)) body.capabilities = form.capabilities;
  if (!same(parseTags(form.tags), agent.tags)) body.tags = parseTags(form.tags);
  const kept = agent.endpoints.map(({ name, endpoint }) => ({ name, endpoint }));
  if (!same(endpointsOf(form), kept)) {
    // A row left as it was keeps its version.
    const versionOf = (endpoint: Endpoint) => agent.endpoints.find((old) => old.name === endpoint.name && old.endpoint === endpoint.endpoint)?.version;
    body.endpoints = endpointsOf(form).map((endpoint) => {
      const version = versionOf(endpoint);
      return version ? { ...endpoint, version } : endpoint;
    });
  }
  if (form.controller !== agent.controller) body.controller = form.controller;
  return Object.keys(body).length > 0 ? body : undefined;
}

/** The agent's card as a form: name, description, capabilities, tags, endpoints and controller (register and edit alike). */
export function AgentCardForm(props: { agent?: Agent; submitLabel: string; busy: boolean; onSubmit: (form: AgentForm) => void; onCancel: () => void }) {
  const { register, handleSubmit, formState, control, watch } = useForm<AgentForm>({ resolver: zodResolver(AgentFormSchema), defaultValues: agentFormValues(props.agent) });
  const endpoints = useFieldArray({ control, name: 'endpoints' });
  const errors = formState.errors;
  const controllerChanged = props.agent !== undefined && watch('controller').trim() !== props.agent.controller;
  return (
    <form noValidate className="grid grid-cols-1 gap-4" aria-label={props.agent ? `Edit ${props.agent.name}` : 'New agent'} onSubmit={handleSubmit(props.onSubmit)}>
      <Field label="Name" error={errors.name?.message}>
        {(field) => <Input {...field} {...register('name')} autoComplete="off" />}
      </Field>
      <Field label="Description (optional)" error={errors.description?.message}>
        {(field) => <Textarea {...field} {...register('description')} className="min-h-20 font-sans" />}
      </Field>
      <CheckboxGroup
        legend="Capabilities"
        options={CAPABILITIES.map((capability) => [capability, CAPABILITY_LABELS[capability]] as const)}
        field={register('capabilities')}
        error={errors.capabilities?.message}
        className="max-h-48 overflow-y-auto rounded-md border p-2"
      />
      <Field label="Tags (optional)" hint="Free labels beside the capabilities, separated by commas: english, legal" error={errors.tags?.message}>
        {(field) => <Input {...field} {...register('tags')} autoComplete="off" />}
      </Field>
      <fieldset className="grid grid-cols-1 gap-2">
        <legend className="mb-1 text-sm font-medium">Endpoints (optional)</legend>
        {endpoints.fields.map((row, index) => (
          <div key={row.id} className="grid grid-cols-[7rem_1fr_auto] items-start gap-2">
            <Select aria-label={`Endpoint ${index + 1} type`} {...register(`endpoints.${index}.name`)}>
              {ENDPOINT_NAMES.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </Select>
            <div className="grid min-w-0 grid-cols-1 gap-1">
              <Input
                aria-label={`Endpoint ${index + 1}`}
                placeholder="https://agents.example/.well-known/agent-card.json"
                aria-invalid={errors.endpoints?.[index]?.endpoint ? true : undefined}
                {...register(`endpoints.${index}.endpoint`)}
              />
              {errors.endpoints?.[index]?.endpoint && <p className="text-sm text-destructive">{errors.endpoints[index].endpoint.message}</p>}
            </div>
            <Button variant="outline" aria-label={`Remove endpoint ${index + 1}`} onClick={() => endpoints.remove(index)}>
              Remove
            </Button>
          </div>
        ))}
        <div>
          <Button variant="outline" size="sm" onClick={() => endpoints.append({ name: 'A2A', endpoint: '' })} disabled={endpoints.fields.length >= 20}>
            Add endpoint
          </Button>
        </div>
      </fieldset>
      <Field
        label="Controller"
        hint={controllerChanged ? 'A new controller makes the agent unverified until it signs a challenge.' : 'The account that controls the agent, as a did:pkh: did:pkh:eip155:1:0x… or did:pkh:solana:<genesis>:<address>.'}
        error={errors.controller?.message}
      >
        {(field) => <Input {...field} {...register('controller')} autoComplete="off" spellCheck={false} className="font-mono" />}
      </Field>
      <FormActions submitLabel={props.submitLabel} busy={props.busy} onCancel={props.onCancel} />
    </form>
  );
}
