import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import type { Schemas } from '../../api/client.ts';
import { IssuerCreateForm, parsePublicKey } from './issuer-form.tsx';

afterEach(cleanup);

const KEY = { ax: '5299619240641551281634865583518297030282874472190772894086521144482721001553', ay: '16950150798460657717958625567821834550301663161624707787222815936182638968203' };

function renderForm() {
  const sent: Array<Schemas['IssuerCreate']> = [];
  render(<IssuerCreateForm busy={false} onSubmit={(body) => sent.push(body)} onCancel={() => {}} />);
  return sent;
}

test('says what is missing, and sends nothing until name, key and a claim type are given', async () => {
  const sent = renderForm();
  fireEvent.click(screen.getByRole('button', { name: 'Trust issuer' }));
  await screen.findByText('Give the issuer a name');
  await screen.findByText('Paste the public key as JSON: {"ax": "…", "ay": "…"}');
  await screen.findByText('Choose at least one claim type');
  expect(sent).toEqual([]);
});

test('sends the API body with the pasted key', async () => {
  const sent = renderForm();
  fireEvent.input(screen.getByLabelText('Name'), { target: { value: ' State Registry ' } });
  fireEvent.input(screen.getByLabelText('Public key'), { target: { value: `\n${JSON.stringify(KEY, null, 2)}\n` } });
  fireEvent.click(screen.getByLabelText(/Age over 21/));
  fireEvent.click(screen.getByLabelText(/Citizenship/));
  fireEvent.click(screen.getByRole('button', { name: 'Trust issuer' }));
  await waitFor(() => expect(sent).toEqual([{ name: 'State Registry', public_key: KEY, claim_types: ['age_over_21', 'citizenship'] }]));
});

test('the key is a JSON {ax, ay} of decimal strings, and never the whole key file', () => {
  expect(parsePublicKey(JSON.stringify(KEY))).toEqual({ ok: true, key: KEY });
  expect(parsePublicKey(JSON.stringify({ private_key: '1', public_key: KEY }))).toMatchObject({ ok: false, message: expect.stringMatching(/private key/) });
  for (const text of ['', 'ax ay', '[1, 2]', '{"ax": 1, "ay": 2}', '{"ax": "0x1f", "ay": "2"}', '{"ax": "01", "ay": "2"}', `{"ax": "${'9'.repeat(79)}", "ay": "2"}`]) {
    expect(parsePublicKey(text).ok, text).toBe(false);
  }
});
