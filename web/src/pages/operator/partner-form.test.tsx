import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import type { Schemas } from '../../api/client.ts';
import { PartnerCreateForm, PartnerFormSchema, toCreateBody } from './partner-form.tsx';

afterEach(cleanup);

function renderForm() {
  const sent: Array<Schemas['ApiClientCreate']> = [];
  render(<PartnerCreateForm busy={false} onSubmit={(body) => sent.push(body)} onCancel={() => {}} />);
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
