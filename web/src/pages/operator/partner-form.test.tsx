import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import type { Schemas } from '../../api/client.ts';
import { PartnerFields, PartnerFormSchema, toCreateBody, toForm, toUpdateBody, type PartnerForm } from './partner-form.tsx';

afterEach(cleanup);

function renderForm() {
  const sent: Array<Schemas['ApiClientCreate']> = [];
  render(<PartnerFields label="New partner" submitLabel="Create partner" busy={false} onSubmit={(form) => sent.push(toCreateBody(form))} onCancel={() => {}} />);
  return sent;
}

test('says what is missing, and sends nothing until name and a scope are given', async () => {
  const sent = renderForm();
  fireEvent.click(screen.getByRole('button', { name: 'Create partner' }));
  await screen.findByText('Give the partner a name');
  await screen.findByText('Choose at least one scope');
  expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
  expect(sent).toEqual([]);
});

test('sends the API body: chosen scopes, optional fields left out when empty', async () => {
  const sent = renderForm();
  fireEvent.input(screen.getByLabelText('Name'), { target: { value: '  Acme Bank ' } });
  fireEvent.click(screen.getByLabelText(/Age over 18/));
  fireEvent.click(screen.getByLabelText(/TEE attestation/));
  fireEvent.click(screen.getByRole('button', { name: 'Create partner' }));
  await waitFor(() => expect(sent).toEqual([{ name: 'Acme Bank', scopes: ['age_over_18', 'tee_attestation'] }]));
});

test('the webhook URL and rate limit are checked as the API checks them', () => {
  const base = { name: 'A', scopes: ['age_over_18'], webhook_url: '', rate_limit_per_minute: '' };
  const valid = (patch: Partial<typeof base>) => PartnerFormSchema.safeParse({ ...base, ...patch }).success;
  expect(valid({ webhook_url: 'https://hooks.example.com/veridity' })).toBe(true);
  for (const url of ['ftp://hooks.example.com/', 'https://user:pw@hooks.example.com/', 'not a url', `https://x.example/${'a'.repeat(2048)}`]) expect(valid({ webhook_url: url })).toBe(false);
  expect(valid({ rate_limit_per_minute: '600' })).toBe(true);
  for (const limit of ['0', '1.5', '-3', '1000001', 'ten']) expect(valid({ rate_limit_per_minute: limit })).toBe(false);
  expect(toCreateBody({ ...base, scopes: ['evidence'], webhook_url: 'https://h.example/', rate_limit_per_minute: '600' })).toEqual({
    name: 'A',
    scopes: ['evidence'],
    webhook_url: 'https://h.example/',
    rate_limit_per_minute: 600,
  });
});

const PARTNER: Schemas['ApiClient'] = {
  id: 'cli_01m8r4pv8cg3n1x7v5qk2d9t6h',
  name: 'Acme Bank',
  scopes: ['age_over_18', 'evidence'],
  webhook_url: 'https://hooks.example.com/veridity',
  rate_limit_per_minute: 600,
  key_prefix: 'vk_live_abcd',
  created_at: '2026-11-01T00:00:00.000Z',
  last_used: null,
  disabled_at: null,
};

test('an edit sends only what changed; emptied fields go back to none or the plan’s (null)', () => {
  const form = toForm(PARTNER);
  expect(toUpdateBody(form, PARTNER)).toBeUndefined();
  expect(toUpdateBody({ ...form, scopes: ['evidence', 'age_over_18'] }, PARTNER)).toBeUndefined();
  expect(toUpdateBody({ ...form, name: 'Acme', scopes: ['evidence'] }, PARTNER)).toEqual({ name: 'Acme', scopes: ['evidence'] });
  expect(toUpdateBody({ ...form, webhook_url: '', rate_limit_per_minute: '' }, PARTNER)).toEqual({ webhook_url: null, rate_limit_per_minute: null });
  expect(toUpdateBody({ ...form, rate_limit_per_minute: '1200' }, PARTNER)).toEqual({ rate_limit_per_minute: 1200 });
});

test('the edit form starts from the partner and submits its changes', async () => {
  const sent: PartnerForm[] = [];
  render(<PartnerFields label="Edit Acme Bank" submitLabel="Save changes" initial={toForm(PARTNER)} busy={false} onSubmit={(form) => sent.push(form)} onCancel={() => {}} />);
  expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Acme Bank');
  expect((screen.getByLabelText(/Signed evidence/) as HTMLInputElement).checked).toBe(true);
  fireEvent.input(screen.getByLabelText(/Rate limit/), { target: { value: '1200' } });
  fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
  await waitFor(() => expect(sent.length).toBe(1));
  expect(toUpdateBody(sent[0]!, PARTNER)).toEqual({ rate_limit_per_minute: 1200 });
});
