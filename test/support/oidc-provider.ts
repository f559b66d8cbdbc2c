import { randomBytes } from 'node:crypto';
import { createServer, type RequestListener } from 'node:http';
import Provider from 'oidc-provider';

export type OidcTestProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /**
   * Drives the browser's part of an authorization: from the provider's authorization URL through
   * its login (as `account`) and consent pages, to the redirect back; answers that redirect's URL.
   */
  authorize(authorizationUrl: string, account: string): Promise<URL>;
  close(): Promise<void>;
};

/**
 * A real OpenID provider (oidc-provider, its development login and consent pages) on a loopback
 * port: one confidential client (client_secret_basic, PKCE) redirecting to `redirectUri`; each
 * account's claims are released with the `openid` and `email` scopes (the role claim with openid).
 */
export async function startOidcProvider(options: { redirectUri: string; accounts: Record<string, Record<string, unknown>>; roleClaim?: string }): Promise<OidcTestProvider> {
  let handler: RequestListener | undefined;
  const server = createServer((request, response) => handler!(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const clientId = 'veridity-console';
  const clientSecret = randomBytes(32).toString('base64url');
  const roleClaim = options.roleClaim ?? 'veridity_role';
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [options.redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub', roleClaim], email: ['email', 'email_verified'] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_context: unknown, id: string) {
      const claims = options.accounts[id];
      return claims ? { accountId: id, claims: () => ({ sub: id, ...claims }) } : undefined;
    },
  });
  handler = provider.callback();

  /** One browser: its own cookie jar (a fresh one per authorization, so each signs in anew). */
  function browser() {
    const jar = new Map<string, string>();
    return async function step(url: URL, init: RequestInit = {}): Promise<Response> {
      const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') } });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const at = pair!.indexOf('=');
        jar.set(pair!.slice(0, at), pair!.slice(at + 1));
      }
      return response;
    };
  }

  return {
    issuer,
    clientId,
    clientSecret,
    async authorize(authorizationUrl, account) {
      const step = browser();
      let url = new URL(authorizationUrl);
      let response = await step(url);
      for (let hops = 0; hops < 20; hops++) {
        const location = response.headers.get('location');
        if (location) {
          url = new URL(location, url);
          if (url.href.startsWith(options.redirectUri)) return url;
          response = await step(url);
          continue;
        }
        // A login or consent page: submit its form (the development pages take any password).
        const html = await response.text();
        const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
        const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1];
        if (!action || !prompt) throw new Error(`the provider answered ${response.status} without a redirect or a form: ${html.slice(0, 500)}`);
        const form = new URLSearchParams(prompt === 'login' ? { prompt, login: account, password: 'any' } : { prompt });
        url = new URL(action.replaceAll('&amp;', '&'), url);
        response = await step(url, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      }
      throw new Error('the authorization did not come back within 20 steps');
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
