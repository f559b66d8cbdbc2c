import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import { artifactKeys } from './circuits.tsx';
import { CircuitRegisterForm, circuitFormSchema, type CircuitRegistration } from './circuit-form.tsx';

afterEach(cleanup);

const file = (name: string, bytes = 8) => new File([new Uint8Array(bytes)], name);

function renderForm(registered: string[] = []) {
  const sent: CircuitRegistration[] = [];
  render(<CircuitRegisterForm registered={new Set(registered)} busy={false} onSubmit={(form) => sent.push(form)} onCancel={() => {}} />);
  return sent;
}

const pick = (label: RegExp, files: File[]) => fireEvent.change(screen.getByLabelText(label), { target: { files } });

test('says what is missing, and sends nothing until the version and the three artifacts are given', async () => {
  const sent = renderForm();
  fireEvent.click(screen.getByRole('button', { name: 'Upload and register' }));
  await screen.findByText('A version MAJOR.MINOR.PATCH, e.g. 1.1.0');
  await screen.findByText('Choose the witness generator (.wasm)');
  await screen.findByText('Choose the proving key (.zkey)');
  await screen.findByText('Choose the verification key (.json)');
  expect(screen.getByLabelText(/Proving key/).getAttribute('aria-invalid')).toBe('true');
  expect(sent).toEqual([]);
});

test('a version registered already is said before the files are chosen', async () => {
  renderForm(['age_over_18@1.0.0']);
  fireEvent.input(screen.getByLabelText('Version'), { target: { value: '1.0.0' } });
  fireEvent.click(screen.getByRole('button', { name: 'Upload and register' }));
  await screen.findByText('This version of the claim type is registered already');
});

test('sends the chosen claim type, version and files', async () => {
  const sent = renderForm(['age_over_18@1.0.0']);
  const [wasm, zkey, vkey] = [file('age_over_18.wasm'), file('age_over_18.zkey'), file('verification_key.json')];
  fireEvent.change(screen.getByLabelText('Claim type'), { target: { value: 'citizenship' } });
  fireEvent.input(screen.getByLabelText('Version'), { target: { value: ' 1.1.0 ' } });
  pick(/Witness generator/, [wasm]);
  pick(/Proving key/, [zkey]);
  pick(/Verification key/, [vkey]);
  fireEvent.click(screen.getByRole('button', { name: 'Upload and register' }));
  await waitFor(() => expect(sent).toEqual([{ claim_type: 'citizenship', semver: '1.1.0', enabled: true, files: { wasm, zkey, vkey } }]));
});

test('a version registered already, a file of the wrong kind or an empty one is refused before any upload', () => {
  const schema = circuitFormSchema(new Set(['age_over_18@1.0.0']));
  const base = { claim_type: 'age_over_18', semver: '1.1.0', enabled: true, wasm: [file('c.wasm')], zkey: [file('c.zkey')], vkey: [file('v.json')] };
  const issues = (patch: Partial<typeof base>) => {
    const result = schema.safeParse({ ...base, ...patch });
    return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  };
  expect(issues({})).toEqual([]);
  expect(issues({ semver: '1.0.0' })).toEqual(['semver: This version of the claim type is registered already']);
  expect(issues({ claim_type: 'age_over_21', semver: '1.0.0' })).toEqual([]);
  expect(issues({ semver: '1.0' })).toEqual(['semver: A version MAJOR.MINOR.PATCH, e.g. 1.1.0']);
  expect(issues({ semver: '01.0.0' })).toEqual(['semver: A version MAJOR.MINOR.PATCH, e.g. 1.1.0']);
  expect(issues({ zkey: [file('c.wasm')] })).toEqual(['zkey: The proving key is a .zkey file']);
  expect(issues({ vkey: [file('v.json', 0)] })).toEqual(['vkey: This file is empty']);
});

test('each registration uploads into a folder of its own', () => {
  expect(artifactKeys('age_over_18', '1.1.0', 'a1')).toEqual({
    wasm: 'circuits/age_over_18/1.1.0/a1/circuit.wasm',
    zkey: 'circuits/age_over_18/1.1.0/a1/circuit.zkey',
    vkey: 'circuits/age_over_18/1.1.0/a1/verification_key.json',
  });
});
