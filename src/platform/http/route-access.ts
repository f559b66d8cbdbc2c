import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { asList } from './as-list.ts';
import { ApiError } from './errors.ts';
import { errorResponse, errorResponses, errorStatusDescription } from './schemas.ts';

/**
 * Who may call a route, declared once on the route (`config: { access }`) and applied by one
 * `onRoute` hook: authentication, scope and rate limit run in `onRequest`, from headers only,
 * before any body is read; the OpenAPI `security` and the error responses they imply follow
 * from the same declaration, so the document cannot drift from what the route enforces.
 */
export type RouteAccess =
  /**
   * `paid`: the route charges callers without a partner key (x402, when the app has a payment gate):
   * a partner key given is authenticated (401 when it is not valid) and not charged.
   * `billable`: a partner key's calls are metered instead, so a partner over its hard cap is
   * refused (402) as on billable partner routes.
   */
  | { readonly auth: 'public'; readonly rateLimit?: 'per-ip'; readonly paid?: 'x402'; readonly billable?: true }
  | { readonly auth: 'admin' }
  /**
   * `anyScope`: the key must carry at least one of these (a handler may then ask for a specific one).
   * `billable`: the route meters usage; a partner over its hard cap is refused (402) before the work.
   */
  | { readonly auth: 'partner'; readonly anyScope?: readonly string[]; readonly billable?: true }
  /** An enrolled evidence agent (`Authorization: Bearer vag_...`): the `/ingest/v1` routes, nothing else. */
  | { readonly auth: 'agent' }
  /** A web console session (the `veridity_session` cookie), operator or partner, and nothing else: the console's own session routes (operator and partner routes take the cookie beside their headers). */
  | { readonly auth: 'console' };

export const access = {
  public: { auth: 'public' },
  /** Unauthenticated but counted per client IP and route. */
  publicRateLimited: { auth: 'public', rateLimit: 'per-ip' },
  /** Public, counted per IP, and charged by x402 unless a partner key comes with the request, whose calls are billed (and capped) instead. */
  paidPublic: { auth: 'public', rateLimit: 'per-ip', paid: 'x402', billable: true },
  admin: { auth: 'admin' },
  agent: { auth: 'agent' },
  console: { auth: 'console' },
  partner: (anyScope?: readonly string[]): RouteAccess => (anyScope ? { auth: 'partner', anyScope } : { auth: 'partner' }),
  /** A partner route whose outcome is billed: refused with 402 over the spending cap or on an exhausted prepaid balance. */
  billablePartner: (anyScope: readonly string[]): RouteAccess => ({ auth: 'partner', anyScope, billable: true }),
} as const satisfies Record<string, RouteAccess | ((...args: never[]) => RouteAccess)>;

/**
 * Who an agent credential belongs to, set on the request by the agent authentication hook; with
 * the credential's SHA-256, which the submission presents again to the database.
 */
export type AuthenticatedAgent = { id: string; clientId: string; rateLimitPerMinute: number; credentialHash: Buffer };

/**
 * A caller signed in to the web console, set by the session hook: its session, role (a partner's
 * with `clientId`), how it signed in and the CSRF token its state-changing requests must send.
 */
export type ConsoleSessionCaller = { id: string; role: 'operator' | 'partner'; clientId: string | null; method: string; csrfToken: string };

declare module 'fastify' {
  interface FastifyRequest {
    agent?: AuthenticatedAgent;
    consoleSession?: ConsoleSessionCaller;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
    /** The response carries a secret shown once (API key, webhook secret): `Cache-Control: no-store`. */
    carriesSecret?: boolean;
  }
}

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * How each kind of caller is checked. An app without operators or partners (the ingest gateway)
 * leaves theirs out: a route of that kind then fails its registration, at start-up.
 */
export type AccessHooks = {
  admin?: { authenticate: Hook };
  partner?: {
    authenticate: Hook;
    /** A hook refusing (403) a partner whose key carries none of `scopes`. */
    requireAnyScope(scopes: readonly string[]): Hook;
    rateLimit: Hook;
    /** Refuses (402) a partner over its hard cap on a billable route; absent: nothing is capped. */
    spendingCap?: Hook;
  };
  /** `authenticate` sets `request.agent` from an agent credential, or answers 401. */
  agent?: { authenticate: Hook; rateLimit: Hook };
  /**
   * The web console's session cookie. On operator and partner routes it stands for the session's
   * operator or partner when the request carries no Authorization and no X-Api-Key header; console
   * routes take nothing else. `authenticate(role)` sets `request.consoleSession` (and, by its role,
   * `request.adminTokenId` or `request.client`), or answers 401: no live session, or one of another
   * role. Absent: no cookie is looked at and console routes fail their registration.
   */
  session?: { present(request: FastifyRequest): boolean; authenticate(role: 'operator' | 'partner' | undefined): Hook };
  rateLimitPerIp: Hook;
  /** Charges a request to a paid route (`route`: its URL) without a partner key: 402 unless it pays. Absent: paid routes are free. */
  payment?: { charge(route: string): Hook };
};

/** Routes a plugin registers itself (swagger-ui's `/docs`), public by nature. */
export type AccessOptions = AccessHooks & { publicPrefixes: readonly string[] };

/** Every route the app registered, with what it enforces: the security test walks these. */
export type DeclaredRoute = {
  method: string;
  url: string;
  access: RouteAccess;
  /** The route's own body limit, when it differs from the app's. */
  bodyLimit: number | undefined;
  hasBodySchema: boolean;
  idempotent: boolean;
  carriesSecret: boolean;
};

const OVER_CAP_DESCRIPTION =
  'Over the hard cap (`PAYMENT_REQUIRED`, refused before any work): `reason` `SPENDING_CAP` (the monthly spending cap of your plan is reached) or `BALANCE_EXHAUSTED` (prepaid: deposit credits)';

/** A paid route billing partner keys: 402 either way. */
const PAID_OVER_CAP_DESCRIPTION = `Without a partner key: ${errorStatusDescription(402)}. With one: ${OVER_CAP_DESCRIPTION}`;

const CONSOLE_SECURITY = { ConsoleSession: [] };
const ADMIN_SECURITY = [{ BearerAuth: [] }, CONSOLE_SECURITY];
const AGENT_SECURITY = [{ AgentAuth: [] }];

const CSRF_DESCRIPTION = 'a request signed in by the console session cookie without the session\'s `X-CSRF-Token` (`CSRF_TOKEN_INVALID`)';

type DescribedError = ReturnType<typeof errorResponse>;

/** A state-changing operation a console session may call documents the CSRF refusal with its other 403s. */
function withCsrfRefusal(forbidden: DescribedError | undefined): DescribedError {
  if (!forbidden) return errorResponse(403, CSRF_DESCRIPTION[0]!.toUpperCase() + CSRF_DESCRIPTION.slice(1));
  return { ...forbidden, description: `${forbidden.description}; or ${CSRF_DESCRIPTION}` };
}

/** Methods that change nothing: a request by console cookie needs no CSRF token for them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Public routes say so with an empty list: a missing `security` would mean "whatever the document's default is". */
function securityOf(access: RouteAccess): Array<Record<string, string[]>> {
  if (access.auth === 'admin') return ADMIN_SECURITY;
  if (access.auth === 'agent') return AGENT_SECURITY;
  if (access.auth === 'console') return [CONSOLE_SECURITY];
  if (access.auth === 'partner') return [{ ApiKeyAuth: [] }, { OAuth2ClientCredentials: [...(access.anyScope ?? [])] }, CONSOLE_SECURITY];
  // Paid: anyone (paying with x402), or a partner key (not charged).
  if (access.paid) return [{}, { ApiKeyAuth: [] }];
  return [];
}

function hooksOf(access: RouteAccess, hooks: AccessHooks, route: string): Hook[] {
  const of = <T>(kind: T | undefined): T => {
    if (!kind) throw new Error(`route ${route} declares ${access.auth} access, which this app does not authenticate`);
    return kind;
  };
  switch (access.auth) {
    case 'admin':
      return [orSession(of(hooks.admin).authenticate, hooks.session, 'operator')];
    case 'partner': {
      const partner = of(hooks.partner);
      const capped = access.billable && partner.spendingCap ? [partner.spendingCap] : [];
      return [orSession(partner.authenticate, hooks.session, 'partner'), ...(access.anyScope ? [partner.requireAnyScope(access.anyScope)] : []), partner.rateLimit, ...capped];
    }
    case 'console':
      return [bySession(of(hooks.session), undefined)];
    case 'agent': {
      const agent = of(hooks.agent);
      return [agent.authenticate, agent.rateLimit];
    }
    case 'public':
      return access.rateLimit === 'per-ip' ? [hooks.rateLimitPerIp] : [];
  }
}

/**
 * A console session, then the CSRF check: a state-changing request authenticated by the cookie
 * must echo the session's token in `X-CSRF-Token` (a cross-site page can make the browser send the
 * cookie, never that header), else 403. Headers only, like every authentication here.
 */
function bySession(session: NonNullable<AccessHooks['session']>, role: 'operator' | 'partner' | undefined): Hook {
  const authenticate = session.authenticate(role);
  return async (request, reply) => {
    await authenticate(request, reply);
    if (SAFE_METHODS.has(request.method)) return;
    const sent = request.headers['x-csrf-token'];
    const expected = Buffer.from(request.consoleSession?.csrfToken ?? '');
    const given = Buffer.from(typeof sent === 'string' ? sent : '');
    if (expected.length === 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ApiError('CSRF_TOKEN_INVALID', 'a request signed in by the console session cookie must send the session\'s CSRF token in X-CSRF-Token');
    }
  };
}

/** A request with neither header credential but a console session cookie is the session's caller; any other goes to `hook`. */
function orSession(hook: Hook, session: AccessHooks['session'], role: 'operator' | 'partner'): Hook {
  if (!session) return hook;
  const sessionHook = bySession(session, role);
  return async (request, reply) => {
    const hasHeaderCredential = request.headers['x-api-key'] !== undefined || request.headers.authorization !== undefined;
    return !hasHeaderCredential && session.present(request) ? sessionHook(request, reply) : hook(request, reply);
  };
}

/** The failures a route can answer whatever its handler does (each documented with its usual description). */
function impliedErrorStatuses(access: RouteAccess, schema: NonNullable<RouteOptions['schema']>): number[] {
  const statuses = [503];
  if (access.auth !== 'public') statuses.push(401);
  if (access.auth === 'partner' || access.auth === 'agent') statuses.push(429);
  if (access.auth === 'partner' && access.anyScope) statuses.push(403);
  if (access.auth === 'partner' && access.billable) statuses.push(402);
  if (access.auth === 'public' && access.rateLimit) statuses.push(429);
  if (access.auth === 'public' && access.paid) statuses.push(401, 402, 422, 502);
  if (schema.body) statuses.push(400, 413, 415);
  if (schema.params || schema.querystring || schema.headers) statuses.push(400);
  return statuses;
}

/**
 * A paid route's gate: a partner credential is authenticated and not charged (the route may meter
 * it: `request.client`), also when the app charges nobody, and on a billable route refused over
 * its hard cap; without one, the payment gate charges.
 */
function paidGate(hooks: AccessHooks, route: string, billable: boolean): Hook | undefined {
  const charge = hooks.payment?.charge(route);
  const authenticate = hooks.partner?.authenticate;
  if (!charge && !authenticate) return undefined;
  const capped = billable ? hooks.partner?.spendingCap : undefined;
  return async (request, reply) => {
    const hasCredential = request.headers['x-api-key'] !== undefined || request.headers.authorization !== undefined;
    if (hasCredential && authenticate) {
      await authenticate(request, reply);
      return capped?.(request, reply);
    }
    if (charge) return charge(request, reply);
  };
}

async function noStore(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

/**
 * Installs the hook on `app` (before any route is registered): every route must declare its
 * access, or start-up fails naming it, so a route cannot be left open by forgetting.
 */
export function enforceRouteAccess(app: FastifyInstance, options: AccessOptions): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  app.addHook('onRoute', (route) => {
    const declared = route.config?.access;
    const methods = asList(route.method);
    if (!declared) {
      if (!options.publicPrefixes.some((prefix) => route.url.startsWith(prefix))) {
        throw new Error(`route ${methods.join(',')} ${route.url} declares no access (config.access)`);
      }
      for (const method of methods) routes.push({ method, url: route.url, access: access.public, bodyLimit: route.bodyLimit, hasBodySchema: false, idempotent: false, carriesSecret: false });
      return;
    }
    const hooks = hooksOf(declared, options, `${methods.join(',')} ${route.url}`);
    const flags = { idempotent: route.config?.idempotent === true, carriesSecret: route.config?.carriesSecret === true };
    for (const method of methods) routes.push({ method, url: route.url, access: declared, bodyLimit: route.bodyLimit, hasBodySchema: route.schema?.body !== undefined, ...flags });
    route.onRequest = [...hooks, ...asList(route.onRequest)] as typeof route.onRequest;
    // After validation (preHandler): a request refused for its input is not charged.
    const gate = declared.auth === 'public' && declared.paid ? paidGate(options, route.url, declared.billable === true) : undefined;
    if (gate) route.preHandler = [gate, ...asList(route.preHandler)] as typeof route.preHandler;
    if (route.config?.carriesSecret) route.onSend = [noStore, ...asList(route.onSend)] as typeof route.onSend;
    const schema = route.schema ?? {};
    const security = securityOf(declared);
    const implied = errorResponses(...impliedErrorStatuses(declared, schema));
    if ((declared.auth === 'partner' || declared.auth === 'public') && declared.billable) {
      implied[402] = errorResponse(402, declared.auth === 'public' ? PAID_OVER_CAP_DESCRIPTION : OVER_CAP_DESCRIPTION);
    }
    const responses: Record<string, unknown> = { ...implied, ...((schema.response ?? {}) as Record<string, unknown>) };
    const signedInByCookie = declared.auth === 'admin' || declared.auth === 'partner' || declared.auth === 'console';
    if (signedInByCookie && methods.some((method) => !SAFE_METHODS.has(method))) responses[403] = withCsrfRefusal(responses[403] as DescribedError | undefined);
    route.schema = {
      ...schema,
      ...(!schema.hide ? { security } : {}),
      ...(schema.response || !schema.hide ? { response: responses } : {}),
    };
  });
  return routes;
}
