import { queryOptions } from '@tanstack/react-query';
import type { ConsoleApi } from './api/client.ts';

export const SESSION_KEY = ['console-session'] as const;

/** The signed-in session (null: signed out), shared by the route guards and the header. */
export const sessionQuery = (api: ConsoleApi) =>
  queryOptions({ queryKey: SESSION_KEY, queryFn: () => api.session.current(), staleTime: 60_000, retry: false });


/** What sign-in offers besides the forms (single sign-on, wallet chains): fixed while the server runs. */
export const consoleConfigQuery = (api: ConsoleApi) =>
  // Without the console's session routes (an older server) the forms still show; they then fail with its message.
  queryOptions({ queryKey: ['console-config'], queryFn: () => api.session.config(), staleTime: Infinity, retry: false });
