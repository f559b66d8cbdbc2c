import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useApi } from '../api/context.tsx';
import { OIDC_START_PATH, type SignIn, type WalletChain } from '../api/session.ts';
import { PageHeader } from '../components/layout.tsx';
import { Button } from '../components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../components/ui/card.tsx';
import { ProblemAlert } from '../components/ui/toast.tsx';
import { walletAvailable, walletSignIn } from '../lib/wallet.ts';
import { SESSION_KEY } from '../session-query.ts';
import { CredentialForm } from './sign-in-forms.tsx';

const CHAIN_NAMES: Record<WalletChain, string> = { ethereum: 'Ethereum', sui: 'Sui' };

/** Only a path inside the console: a redirect parameter never sends anyone elsewhere. */
export function safeRedirect(target: string | undefined): string {
  return target && target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/sign-in') ? target : '/';
}

export function SignInPage({ redirect }: { redirect?: string | undefined }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  // Without the console's session routes (an older server) the forms still show; they then fail with its message.
  const config = useQuery({ queryKey: ['console-config'], queryFn: () => api.session.config(), staleTime: Infinity, retry: false });
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
      <div className="grid grid-cols-1 gap-6 md:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Operator</CardTitle>
            <CardDescription>With an admin token{config.data?.oidc ? ', or your organisation’s single sign-on' : ''}.</CardDescription>
          </CardHeader>
          <CardContent className="grid grid-cols-1 gap-4">
            <CredentialForm kind="admin_token" busy={signIn.isPending && signIn.variables?.method === 'admin_token'} onSignIn={(body) => signIn.mutate(body)} />
            {config.data?.oidc && (
              <a href={OIDC_START_PATH} className="inline-flex h-10 items-center justify-center rounded-md border border-input px-4 text-sm font-medium hover:bg-accent">
                Sign in with single sign-on
              </a>
            )}
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
