import { z } from 'zod';
import { networkProblem, problemFrom } from './problem.ts';
import type { SessionFetch } from './session-fetch.ts';

/**
 * The console's session endpoints (/api/console/*). Their responses are checked against these
 * schemas, so a server that answers something else fails here with a clear message rather
 * than somewhere in a page.
 */

export const ConsoleSessionSchema = z.object({
  id: z.string(),
  role: z.enum(['operator', 'partner']),
  client_id: z.string().nullish(),
  client_name: z.string().nullish(),
  method: z.string(),
  /** Who signed in: the admin token or API key (by prefix), the wallet address, the OIDC e-mail. */
  identity: z.string().nullish(),
  created_at: z.string(),
  access_expires_at: z.string(),
  refresh_expires_at: z.string(),
  current: z.boolean().optional(),
});
export type ConsoleSession = z.infer<typeof ConsoleSessionSchema>;

const SessionResponseSchema = z.object({ session: ConsoleSessionSchema, csrf_token: z.string() });
export type SessionResponse = z.infer<typeof SessionResponseSchema>;

const SessionListSchema = z.object({ sessions: z.array(ConsoleSessionSchema) });

export const WALLET_CHAINS = ['ethereum', 'sui'] as const;
export type WalletChain = (typeof WALLET_CHAINS)[number];

const ConsoleConfigSchema = z.object({ oidc: z.boolean(), wallet_chains: z.array(z.string()) });
export type ConsoleConfig = { oidc: boolean; walletChains: WalletChain[] };

const WalletChallengeSchema = z.object({ nonce: z.string(), message: z.string(), expires_at: z.string() });
export type WalletChallenge = z.infer<typeof WalletChallengeSchema>;

export type SignIn =
  | { method: 'admin_token'; token: string }
  | { method: 'api_key'; api_key: string }
  | { method: 'siwe'; message: string; signature: string }
  | { method: 'sui'; address: string; message: string; signature: string };

export const OIDC_START_PATH = '/api/console/oidc/start';

export function createSessionApi(options: { baseUrl: string; fetch: SessionFetch }) {
  async function call<T>(path: string, schema: z.ZodType<T> | undefined, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const request = new Request(new URL(path, options.baseUrl), {
      method: init.method ?? 'GET',
      credentials: 'include',
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    let response: Response;
    try {
      response = await options.fetch(request);
    } catch (cause) {
      throw networkProblem(cause);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!response.ok) throw problemFrom(response.status, body, response.headers.get('x-request-id'));
    if (!schema) return undefined as T;
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw problemFrom(response.status, { error: `Unexpected answer from ${path}: ${z.prettifyError(parsed.error)}`, error_code: 'UNEXPECTED_RESPONSE' }, response.headers.get('x-request-id'));
    return parsed.data;
  }

  const remember = (response: SessionResponse): SessionResponse => {
    options.fetch.setCsrfToken(response.csrf_token);
    return response;
  };

  return {
    /** The current session, or null when signed out (after one refresh attempt). */
    async current(): Promise<SessionResponse | null> {
      try {
        return remember(await call('/api/console/session', SessionResponseSchema));
      } catch (error) {
        if ((error as { status?: number }).status === 401) return null;
        throw error;
      }
    },
    async signIn(body: SignIn): Promise<SessionResponse> {
      return remember(await call('/api/console/sessions', SessionResponseSchema, { method: 'POST', body }));
    },
    async signOut(): Promise<void> {
      await call('/api/console/session', undefined, { method: 'DELETE' });
      options.fetch.setCsrfToken(undefined);
    },
    async list(): Promise<ConsoleSession[]> {
      return (await call('/api/console/sessions', SessionListSchema)).sessions;
    },
    revoke: (id: string): Promise<void> => call(`/api/console/sessions/${encodeURIComponent(id)}`, undefined, { method: 'DELETE' }),
    walletChallenge: (chain: WalletChain, address: string): Promise<WalletChallenge> =>
      call('/api/console/wallet/challenges', WalletChallengeSchema, { method: 'POST', body: { chain, address } }),
    /** What sign-in offers besides the forms: single sign-on (OIDC) and the wallet chains. */
    async config(): Promise<ConsoleConfig> {
      const config = await call('/api/console/config', ConsoleConfigSchema);
      return { oidc: config.oidc, walletChains: WALLET_CHAINS.filter((chain) => config.wallet_chains.includes(chain)) };
    },
  };
}

export type SessionApi = ReturnType<typeof createSessionApi>;
