import { useQuery, type QueryClient } from '@tanstack/react-query';
import { createRootRouteWithContext, createRoute, createRouter, Outlet, redirect, useRouter, useRouterState, type ErrorComponentProps } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import type { ConsoleApi } from './api/client.ts';
import { useApi } from './api/context.tsx';
import type { ConsoleSession, SessionResponse } from './api/session.ts';
import { Layout, PageHeader } from './components/layout.tsx';
import { Button } from './components/ui/button.tsx';
import { ProblemAlert } from './components/ui/toast.tsx';
import { CheckReceiptPage } from './pages/check-receipt.tsx';
import { NotFoundPage } from './pages/not-found.tsx';
import { PartnersPage } from './pages/operator/partners.tsx';
import { AttestationPage } from './pages/operator/attestation.tsx';
import { AuditLogPage, parseAuditLogSearch } from './pages/operator/audit-log.tsx';
import { CircuitsPage } from './pages/operator/circuits.tsx';
import { IssuersPage } from './pages/operator/issuers.tsx';
import { DeadLettersPage } from './pages/operator/dead-letters.tsx';
import { GlobalManagerPage } from './pages/operator/global-manager.tsx';
import { LedgerPage } from './pages/operator/ledger.tsx';
import { QueuePage } from './pages/operator/queue.tsx';
import { BillingPage } from './pages/partner/billing.tsx';
import { ApiKeysPage } from './pages/partner/api-keys.tsx';
import { AgentDetailPage } from './pages/partner/agent-detail.tsx';
import { AgentsPage } from './pages/partner/agents.tsx';
import { OverviewPage } from './pages/partner/overview.tsx';
import { ProofsPage } from './pages/partner/proofs.tsx';
import { CertificatesPage } from './pages/partner/certificates.tsx';
import { TasksPage } from './pages/partner/tasks.tsx';
import { WebhooksPage } from './pages/partner/webhooks.tsx';
import { SessionsPage } from './pages/sessions.tsx';
import { SignInPage, signInSearch } from './pages/sign-in.tsx';
import { SESSION_KEY, sessionQuery } from './session-query.ts';

export type RouterContext = { queryClient: QueryClient; api: ConsoleApi };

/** After a navigation, focus goes to the page's main landmark, so keyboard and screen-reader users start at the content. */
function Root() {
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus();
  }, [pathname]);
  return <Outlet />;
}

/** A page that could not load (the session could not be read, say): the API's message and a way to try again. */
function RouteError({ error }: ErrorComponentProps) {
  const router = useRouter();
  return (
    <Layout>
      <PageHeader title="This page could not load" />
      <ProblemAlert error={error} />
      <div>
        <Button variant="outline" onClick={() => void router.invalidate()}>
          Try again
        </Button>
      </div>
    </Layout>
  );
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Root,
  notFoundComponent: () => (
    <Layout>
      <NotFoundPage />
    </Layout>
  ),
});

/** Pages anyone may open; the header shows the session when one is known already (none is fetched for them). */
const publicRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'public',
  component: function PublicShell() {
    const known = useQuery({ ...sessionQuery(useApi()), enabled: false }).data;
    return (
      <Layout session={known?.session}>
        <Outlet />
      </Layout>
    );
  },
});

const checkRoute = createRoute({ getParentRoute: () => publicRoute, path: 'check', component: CheckReceiptPage });

const signInRoute = createRoute({
  getParentRoute: () => publicRoute,
  path: 'sign-in',
  validateSearch: signInSearch,
  beforeLoad: ({ context }) => {
    if (context.queryClient.getQueryData<SessionResponse | null>(SESSION_KEY)) throw redirect({ to: '/' });
  },
  component: function SignInRoute() {
    return <SignInPage {...signInRoute.useSearch()} />;
  },
});

/** Pages behind sign-in: the session is loaded (refreshed once if it expired) before any of them. */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'app',
  beforeLoad: async ({ context, location }) => {
    const current = await context.queryClient.ensureQueryData(sessionQuery(context.api));
    if (!current) throw redirect({ to: '/sign-in', search: { redirect: location.href } });
    return { session: current.session };
  },
  component: function AppShell() {
    const live = useQuery(sessionQuery(useApi())).data;
    const session = live?.session ?? appRoute.useRouteContext().session;
    return (
      <Layout session={session}>
        <Outlet />
      </Layout>
    );
  },
});

const requireRole =
  (role: ConsoleSession['role']) =>
  ({ context }: { context: { session: ConsoleSession } }) => {
    if (context.session.role !== role) throw redirect({ to: '/' });
  };

const homeRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/',
  beforeLoad: ({ context }) => {
    throw redirect({ to: context.session.role === 'operator' ? '/partners' : '/overview' });
  },
});

const partnersRoute = createRoute({ getParentRoute: () => appRoute, path: 'partners', beforeLoad: requireRole('operator'), component: PartnersPage });
// Operator pages: the platform's state.
const queueRoute = createRoute({ getParentRoute: () => appRoute, path: 'queue', beforeLoad: requireRole('operator'), component: QueuePage });
const deadLettersRoute = createRoute({ getParentRoute: () => appRoute, path: 'dead-letters', beforeLoad: requireRole('operator'), component: DeadLettersPage });
const ledgerRoute = createRoute({ getParentRoute: () => appRoute, path: 'ledger', beforeLoad: requireRole('operator'), component: LedgerPage });
const globalManagerRoute = createRoute({ getParentRoute: () => appRoute, path: 'global-manager', beforeLoad: requireRole('operator'), component: GlobalManagerPage });
const attestationRoute = createRoute({ getParentRoute: () => appRoute, path: 'attestation', beforeLoad: requireRole('operator'), component: AttestationPage });
const auditLogRoute = createRoute({ getParentRoute: () => appRoute, path: 'audit-log', beforeLoad: requireRole('operator'), validateSearch: parseAuditLogSearch, component: AuditLogPage });
// Operator pages: what proofs are checked against.
const catalogRoutes = [
  createRoute({ getParentRoute: () => appRoute, path: 'circuits', beforeLoad: requireRole('operator'), component: CircuitsPage }),
  createRoute({ getParentRoute: () => appRoute, path: 'issuers', beforeLoad: requireRole('operator'), component: IssuersPage }),
];
const operatorRoutes = [queueRoute, deadLettersRoute, ledgerRoute, globalManagerRoute, attestationRoute, auditLogRoute, ...catalogRoutes];

const overviewRoute = createRoute({ getParentRoute: () => appRoute, path: 'overview', beforeLoad: requireRole('partner'), component: OverviewPage });
const webhooksRoute = createRoute({ getParentRoute: () => appRoute, path: 'webhooks', beforeLoad: requireRole('partner'), component: WebhooksPage });
const partnerPageRoutes = [
  createRoute({ getParentRoute: () => appRoute, path: 'tasks', beforeLoad: requireRole('partner'), component: TasksPage }),
  createRoute({ getParentRoute: () => appRoute, path: 'proofs', beforeLoad: requireRole('partner'), component: ProofsPage }),
  createRoute({ getParentRoute: () => appRoute, path: 'billing', beforeLoad: requireRole('partner'), component: BillingPage }),
  createRoute({ getParentRoute: () => appRoute, path: 'api-keys', beforeLoad: requireRole('partner'), component: ApiKeysPage }),
  createRoute({ getParentRoute: () => appRoute, path: 'agents', beforeLoad: requireRole('partner'), component: AgentsPage }),
  createRoute({ getParentRoute: () => appRoute, path: 'agents/$agentId', beforeLoad: requireRole('partner'), component: AgentDetailPage }),
  createRoute({ getParentRoute: () => appRoute, path: 'certificates', beforeLoad: requireRole('partner'), component: CertificatesPage }),
];
const sessionsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'sessions',
  component: function SessionsRoute() {
    return <SessionsPage currentId={appRoute.useRouteContext().session.id} />;
  },
});

const routeTree = rootRoute.addChildren([
  publicRoute.addChildren([checkRoute, signInRoute]),
  appRoute.addChildren([homeRoute, partnersRoute, overviewRoute, webhooksRoute, sessionsRoute, ...partnerPageRoutes, ...operatorRoutes]),
]);

/** Paths that need no session: losing one there sends nobody to sign-in. */
export const PUBLIC_PATHS = ['/check', '/sign-in'];

export function createConsoleRouter(context: RouterContext) {
  return createRouter({ routeTree, context, basepath: '/console', defaultPreload: 'intent', scrollRestoration: true, defaultErrorComponent: RouteError });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createConsoleRouter>;
  }
}
