import { Link, useNavigate } from '@tanstack/react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useApi } from '../api/context.tsx';
import type { ConsoleSession } from '../api/session.ts';
import { SESSION_KEY } from '../session-query.ts';
import { ThemeToggle } from './theme-toggle.tsx';
import { Button } from './ui/button.tsx';
import { useToast } from './ui/toast.tsx';

type NavItem = { to: string; label: string };

const NAV: Record<ConsoleSession['role'] | 'public', NavItem[]> = {
  operator: [
    { to: '/partners', label: 'Partners' },
    { to: '/circuits', label: 'Circuits' },
    { to: '/issuers', label: 'Issuers' },
    { to: '/queue', label: 'Queue' },
    { to: '/dead-letters', label: 'Dead webhooks' },
    { to: '/ledger', label: 'Ledger' },
    { to: '/global-manager', label: 'Global manager' },
    { to: '/attestation', label: 'Attestation' },
    { to: '/audit-log', label: 'Audit log' },
    { to: '/sessions', label: 'Sessions' },
  ],
  partner: [
    { to: '/overview', label: 'Overview' },
    { to: '/webhooks', label: 'Webhooks' },
    { to: '/tasks', label: 'TEE tasks' },
    { to: '/proofs', label: 'Proofs' },
    { to: '/billing', label: 'Billing' },
    { to: '/api-keys', label: 'API keys' },
    { to: '/agents', label: 'Agents' },
    { to: '/certificates', label: 'Certificates' },
    { to: '/sessions', label: 'Sessions' },
  ],
  public: [],
};

function SignOutButton() {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const signOut = useMutation({
    mutationFn: () => api.session.signOut(),
    onSuccess: async () => {
      queryClient.clear();
      queryClient.setQueryData(SESSION_KEY, null);
      await navigate({ to: '/sign-in' });
    },
    onError: (error) => toast.problem(error, 'Sign-out failed'),
  });
  return (
    <Button variant="outline" size="sm" busy={signOut.isPending} onClick={() => signOut.mutate()}>
      Sign out
    </Button>
  );
}

/** Every page's frame: skip link, header with the role's navigation, theme toggle, main landmark. */
export function Layout({ session, children }: { session?: ConsoleSession | undefined; children: ReactNode }) {
  const items = [...NAV[session?.role ?? 'public'], { to: '/check', label: 'Check a receipt or certificate' }];
  const who = session ? (session.role === 'operator' ? 'Operator' : (session.client_name ?? session.client_id ?? 'Partner')) : undefined;
  return (
    <div className="min-h-dvh">
      <a href="#main" className="sr-only z-50 rounded-md bg-primary px-3 py-2 text-primary-foreground focus:not-sr-only focus:fixed focus:top-2 focus:left-2">
        Skip to content
      </a>
      <header className="border-b bg-card">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <Link to="/" className="font-semibold tracking-tight">
            Veridity <span className="font-normal text-muted-foreground">console</span>
          </Link>
          <nav aria-label="Main" className="order-last -mx-1 flex w-full gap-1 overflow-x-auto sm:order-none sm:w-auto">
            {items.map((item) => (
              <Link
                key={item.to}
                to={item.to}
                className="rounded-md px-3 py-1.5 text-sm whitespace-nowrap text-muted-foreground hover:bg-accent hover:text-foreground"
                activeProps={{ className: 'bg-accent !text-foreground font-medium', 'aria-current': 'page' }}
              >
                {item.label}
              </Link>
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-2">
            {who && <span className="hidden text-sm text-muted-foreground sm:inline">{who}</span>}
            <ThemeToggle />
            {session ? (
              <SignOutButton />
            ) : (
              <Link to="/sign-in" className="rounded-md border border-input px-3 py-1.5 text-sm hover:bg-accent">
                Sign in
              </Link>
            )}
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto grid max-w-6xl grid-cols-1 gap-6 px-4 py-6 outline-none">
        {children}
      </main>
    </div>
  );
}

export function PageHeader(props: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-end justify-between gap-3">
      <div className="grid grid-cols-1 gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">{props.title}</h1>
        {props.description && <p className="max-w-prose text-sm text-muted-foreground">{props.description}</p>}
      </div>
      {props.actions && <div className="flex flex-wrap gap-2">{props.actions}</div>}
    </div>
  );
}
