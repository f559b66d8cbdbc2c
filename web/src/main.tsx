import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createConsoleApi } from './api/client.ts';
import { ApiProvider } from './api/context.tsx';
import { ApiProblem } from './api/problem.ts';
import { ToastProvider } from './components/ui/toast.tsx';
import './index.css';
import { createConsoleRouter, PUBLIC_PATHS } from './router.tsx';
import { SESSION_KEY } from './session-query.ts';

const queryClient = new QueryClient({
  defaultOptions: {
    // A refused request (4xx) says the same when repeated; the network or a 5xx may not.
    queries: { retry: (failures, error) => failures < 2 && !(error instanceof ApiProblem && error.status >= 400 && error.status < 500) },
  },
});

const api = createConsoleApi({
  baseUrl: window.location.origin,
  onRefreshed: (body) => {
    if (typeof body === 'object' && body !== null && 'session' in body) queryClient.setQueryData(SESSION_KEY, body);
  },
  onSessionLost: () => {
    queryClient.setQueryData(SESSION_KEY, null);
    const path = router.state.location.pathname;
    if (!PUBLIC_PATHS.includes(path)) void router.navigate({ to: '/sign-in', search: { redirect: router.state.location.href } });
  },
});

const router = createConsoleRouter({ queryClient, api });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiProvider api={api}>
      <QueryClientProvider client={queryClient}>
        <ToastProvider>
          <RouterProvider router={router} />
        </ToastProvider>
      </QueryClientProvider>
    </ApiProvider>
  </StrictMode>,
);
