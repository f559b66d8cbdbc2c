import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useApi } from '../api/context.tsx';
import { ApiProblem } from '../api/problem.ts';
import { OIDC_START_PATH, type SignIn, type WalletChain } from '../api/session.ts';
import { PageHeader } from '../components/layout.tsx';
import { Button } from '../components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../components/ui/card.tsx';
import { ProblemAlert } from '../components/ui/toast.tsx';
import { walletAvailable, walletSignIn } from '../lib/wallet.ts';
import { consoleConfigQuery, SESSION_KEY } from '../session-query.ts';
import { CredentialForm } from './sign-in-forms.tsx';

const CHAIN_NAMES: Record<WalletChain, string> = { ethereum: 'Ethereum', sui: 'Sui' };

/** Only a path inside the console: a redirect parameter never sends anyone elsewhere. */
export function safeRedirect(target: string | undefined): string {
  return target && target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/sign-in') ? target : '/';
}

/** What the sign-in page reads from its URL: where to go afterwards, and why a single sign-on came back refused. */
export type SignInSearch = { redirect?: string; sign_in_error?: string; request_id?: string };

export function signInSearch(search: Record<string, unknown>): SignInSearch {
  const kept: SignInSearch = {};
  for (const key of ['redirect', 'sign_in_error', 'request_id'] as const) {
    const value = search[key];
    if (typeof value === 'string') kept[key] = value;
  }
  return kept;
}

/** Why the server refused a single sign-on (its `sign_in_error` reasons), said for the person at the browser. */
const SINGLE_SIGN_ON_ERRORS: Record<string, string> = {
  LOGIN_UNKNOWN: 'No single sign-on was in progress in this browser, or it took longer than 10 minutes. Start again.',
  PROVIDER_REFUSED: 'Your identity provider did not sign you in: the sign-in was cancelled or consent was declined. Start again if that was a mistake.',
  PROVIDER_UNAVAILABLE: 'Your identity provider cannot be reached. Try again later.',
  TOKEN_EXCHANGE_FAILED: 'The sign-in could not be completed with your identity provider. Try again; if it keeps failing, the server log has the reason under the request id.',
  NO_ROLE: 'Your identity is neither an operator nor linked to a partner. Ask your operator to link it to your partner account.',
  PARTNER_DISABLED: 'The partner your identity is linked to is disabled.',
};

function singleSignOnProblem(reason: string, requestId: string | undefined): ApiProblem {
  return new ApiProblem(SINGLE_SIGN_ON_ERRORS[reason] ?? 'Single sign-on failed.', { status: 401, code: reason, requestId });
}

/** The provider's start, asked to come back to the page the person was sent to sign in from (its path and query: `return_to` takes no fragment). */
export function singleSignOnHref(redirect: string | undefined): string {
  const target = safeRedirect(redirect).split('#')[0]!;
  return target === '/' ? OIDC_START_PATH : `${OIDC_START_PATH}?${new URLSearchParams({ return_to: `/console${target}` })}`;
}

export function SignInPage({ redirect, sign_in_error: singleSignOnError, request_id: requestId }: SignInSearch) {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const config = useQuery(consoleConfigQuery(api));
  const signIn = useMutation({
    mutationFn: (body: SignIn) => api.session.signIn(body),
    onSuccess: async (response) => {
      // Nothing cached for someone else survives a sign-in.
      queryClient.clear();
      queryClient.setQueryData(SESSION_KEY, response);
      await navigate({ to: safeRedirect(redirect) });
    },
  });
  const wallet = useMutation({
    mutationFn: async (chain: WalletChain) => walletSignIn(chain, (address) => api.session.walletChallenge(chain, address)),
    onSuccess: (body) => signIn.mutate(body),
  });
  const busy = signIn.isPending || wallet.isPending;
  const chains = config.data?.walletChains ?? [];

  return (
    <>
      <PageHeader title="Sign in" description="Operators run the platform; partners integrate with it. Your session lasts 15 minutes and renews itself for up to 30 days; signing out ends it." />
      {(signIn.error || wallet.error) && <ProblemAlert error={signIn.error ?? wallet.error} title="Sign-in failed" />}
      {singleSignOnError && !signIn.error && !wallet.error && <ProblemAlert error={singleSignOnProblem(singleSignOnError, requestId)} title="Single sign-on failed" />}
      {config.data?.oidc && (
        <Card>
          <CardHeader>
            <CardTitle>Single sign-on</CardTitle>
            <CardDescription>With your organisation’s identity provider: operators by their role there, partners by the identity their operator linked to their account.</CardDescription>
          </CardHeader>
          <CardContent>
            <a href={singleSignOnHref(redirect)} className="inline-flex h-10 items-center justify-center rounded-md border border-input px-4 text-sm font-medium hover:bg-accent">
              Sign in with single sign-on
            </a>
          </CardContent>
        </Card>
      )}
      <div className="grid grid-cols-1 gap-6 md:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Operator</CardTitle>
            <CardDescription>With an admin token.</CardDescription>
          </CardHeader>
          <CardContent className="grid grid-cols-1 gap-4">
            <CredentialForm kind="admin_token" busy={signIn.isPending && signIn.variables?.method === 'admin_token'} onSignIn={(body) => signIn.mutate(body)} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Partner</CardTitle>
            <CardDescription>With your API key{chains.length > 0 ? ', or a wallet your operator linked to your account' : ''}.</CardDescription>
          </CardHeader>
          <CardContent className="grid grid-cols-1 gap-4">
            <CredentialForm kind="api_key" busy={signIn.isPending && signIn.variables?.method === 'api_key'} onSignIn={(body) => signIn.mutate(body)} />
            {chains.length > 0 && (
              <div className="grid grid-cols-1 gap-2 border-t pt-4">
                <p className="text-sm font-medium">Wallet</p>
                <div className="flex flex-wrap gap-2">
                  {chains.map((chain) => (
                    <Button key={chain} variant="outline" disabled={busy || !walletAvailable(chain)} busy={wallet.isPending && wallet.variables === chain} onClick={() => wallet.mutate(chain)}>
                      Sign in with {CHAIN_NAMES[chain]}
                    </Button>
                  ))}
                </div>
                {chains.some((chain) => !walletAvailable(chain)) && (
                  <p className="text-xs text-muted-foreground">No wallet found for {chains.filter((chain) => !walletAvailable(chain)).map((chain) => CHAIN_NAMES[chain]).join(' or ')} in this browser.</p>
                )}
              </div>
            )}
          </CardContent>
        </Card>
      </div>
    </>
  );
}
