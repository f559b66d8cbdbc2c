import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import type { SignIn } from '../api/session.ts';
import { ToastProvider } from '../components/ui/toast.tsx';
import { CredentialForm } from './sign-in-forms.tsx';
import { safeRedirect, signInSearch, singleSignOnHref } from './sign-in.tsx';

afterEach(cleanup);

function renderForm(kind: 'admin_token' | 'api_key') {
  const sent: SignIn[] = [];
  render(
    <ToastProvider>
      <CredentialForm kind={kind} busy={false} onSignIn={(body) => sent.push(body)} />
    </ToastProvider>,
  );
  return sent;
}

const submit = (name: string) => fireEvent.click(screen.getByRole('button', { name }));

describe('the API key form', () => {
  test('refuses what is not a partner key, saying why, and sends nothing', async () => {
    const sent = renderForm('api_key');
    const input = screen.getByLabelText('API key');
    fireEvent.input(input, { target: { value: 'vat_an-admin-token-pasted-in-the-wrong-form' } });
    submit('Sign in as partner');
    await screen.findByText('Partner API keys start with vk_');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    fireEvent.input(input, { target: { value: 'vk_short' } });
    submit('Sign in as partner');
    await screen.findByText('That is not a whole API key: copy all of it');
    expect(sent).toEqual([]);
  });

  test('sends a key (trimmed) as an api_key sign-in, then forgets it', async () => {
    const sent = renderForm('api_key');
    const key = `vk_${'a1B2-_'.repeat(7)}x`;
    const input = screen.getByLabelText<HTMLInputElement>('API key');
    fireEvent.input(input, { target: { value: `  ${key}\n` } });
    submit('Sign in as partner');
    await waitFor(() => expect(sent).toEqual([{ method: 'api_key', api_key: key }]));
    await waitFor(() => expect(input.value).toBe(''));
    expect(input.type).toBe('password');
  });
});

describe('the admin token form', () => {
  test('needs a token of at least 32 characters', async () => {
    const sent = renderForm('admin_token');
    fireEvent.input(screen.getByLabelText('Admin token'), { target: { value: 'too-short' } });
    submit('Sign in as operator');
    await screen.findByText('An admin token is at least 32 characters');
    const token = `vat_${'x'.repeat(43)}`;
    fireEvent.input(screen.getByLabelText('Admin token'), { target: { value: token } });
    submit('Sign in as operator');
    await waitFor(() => expect(sent).toEqual([{ method: 'admin_token', token }]));
  });
});

test('after sign-in, only a path inside the console is followed', () => {
  expect(safeRedirect('/partners?x=1')).toBe('/partners?x=1');
  for (const target of [undefined, '', 'https://evil.example/', '//evil.example/x', '/sign-in?redirect=/x', 'javascript:alert(1)']) expect(safeRedirect(target)).toBe('/');
});

test('single sign-on comes back to the page sign-in was asked from, and only inside the console', () => {
  expect(singleSignOnHref(undefined)).toBe('/api/console/oidc/start');
  expect(singleSignOnHref('/webhooks?status=dead')).toBe('/api/console/oidc/start?return_to=%2Fconsole%2Fwebhooks%3Fstatus%3Ddead');
  expect(singleSignOnHref('/proofs#top')).toBe('/api/console/oidc/start?return_to=%2Fconsole%2Fproofs');
  expect(singleSignOnHref('https://evil.example/')).toBe('/api/console/oidc/start');
});

test('the sign-in page reads only its own string parameters from the URL', () => {
  expect(signInSearch({ redirect: '/partners', sign_in_error: 'NO_ROLE', request_id: 'req_1', other: 'x', extra: 1 })).toEqual({ redirect: '/partners', sign_in_error: 'NO_ROLE', request_id: 'req_1' });
  expect(signInSearch({ sign_in_error: 42 })).toEqual({});
});
