import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import type { Schemas } from '../../api/client.ts';
import { AgentCardForm, agentFormValues, parseTags, toRegistrationBody, toUpdateBody, type AgentForm } from './agent-form.tsx';

afterEach(cleanup);

const CONTROLLER = 'did:pkh:eip155:1:0x5B38Da6a701c568545dCfcB03FcB875f56beddC4';
const agent: Schemas['RegistryAgent'] = {
  id: 'agr_01jq3v4x5y6z7a8b9c0d1e2f3g', status: 'verified', name: 'Summarizer', description: 'Summarises documents', image: null,
  endpoints: [{ name: 'A2A', endpoint: 'https://agents.example/card.json', version: '0.3.0' }], supported_trust: [], capabilities: ['nlp.summarization'],
  tags: ['legal'], pricing: [{ unit: 'request', amount: '0.002', currency: 'USDC' }], tee: null, controller: CONTROLLER, verified_at: '2026-01-01T00:00:00Z',
  reputation: { score: null, confidence: 0, updated_at: null }, registration_url: '/agents/agr_01jq3v4x5y6z7a8b9c0d1e2f3g/registration.json',
  created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', deactivated_at: null,
};

test('tags: commas or spaces, lowercased, each once', () => {
  expect(parseTags(' Legal, english  legal,,fr ')).toEqual(['legal', 'english', 'fr']);
  expect(parseTags('   ')).toEqual([]);
});

test('the registration body leaves out what is empty', () => {
  const form: AgentForm = { name: 'Summarizer', description: '', capabilities: ['nlp.summarization'], tags: '', endpoints: [], controller: CONTROLLER };
  expect(toRegistrationBody(form)).toEqual({ name: 'Summarizer', capabilities: ['nlp.summarization'], controller: CONTROLLER });
  expect(toRegistrationBody({ ...form, tags: 'a, b', endpoints: [{ name: 'MCP', endpoint: 'https://mcp.example' }] })).toMatchObject({ tags: ['a', 'b'], endpoints: [{ name: 'MCP', endpoint: 'https://mcp.example' }] });
});

test('the update body has only what changed; an unchanged endpoint keeps its version; nothing changed: undefined', () => {
  const unchanged = agentFormValues(agent);
  expect(toUpdateBody(unchanged, agent)).toBeUndefined();
  expect(toUpdateBody({ ...unchanged, description: 'Now in French too' }, agent)).toEqual({ description: 'Now in French too' });
  expect(toUpdateBody({ ...unchanged, endpoints: [...unchanged.endpoints, { name: 'web', endpoint: 'https://agents.example' }] }, agent)).toEqual({
    endpoints: [{ name: 'A2A', endpoint: 'https://agents.example/card.json', version: '0.3.0' }, { name: 'web', endpoint: 'https://agents.example' }],
  });
  expect(toUpdateBody({ ...unchanged, tags: 'legal' }, agent)).toBeUndefined();
});

test('says what is missing and refuses a controller that is not a did:pkh; sends the body once valid', async () => {
  const sent: AgentForm[] = [];
  render(<AgentCardForm submitLabel="Register agent" busy={false} onSubmit={(form) => sent.push(form)} onCancel={() => {}} />);
  fireEvent.input(screen.getByLabelText('Controller'), { target: { value: 'did:web:example.com' } });
  fireEvent.click(screen.getByRole('button', { name: 'Register agent' }));
  await screen.findByText('Give the agent a name');
  await screen.findByText('Choose at least one capability');
  await screen.findByText(/A did:pkh of an EVM account/);
  expect(sent).toEqual([]);
  fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Summarizer' } });
  fireEvent.click(screen.getByLabelText(/Summarization/));
  fireEvent.input(screen.getByLabelText('Controller'), { target: { value: CONTROLLER } });
  fireEvent.click(screen.getByRole('button', { name: 'Register agent' }));
  await waitFor(() => expect(sent.map(toRegistrationBody)).toEqual([{ name: 'Summarizer', capabilities: ['nlp.summarization'], controller: CONTROLLER }]));
});
