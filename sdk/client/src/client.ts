import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { IDEMPOTENT_OPERATIONS } from './idempotent-operations.ts';
import type { components, paths } from './openapi.d.ts';
import { parseRetryAfter } from './parse-retry-after.ts';
import { backoffDelay, type FetchFunction, retryingFetch, retryPolicy, type RetryOptions, sleep } from './retry.ts';

type Schemas = components['schemas'];
/** Every error body: `{ error, error_code, request_id }`. */
export type ApiError = Schemas['Error'];
export type Task = Schemas['Task'];

export type VeridityClientOptions = {
  /** Where the API is, e.g. `https://veridity.example` (the paths start with /api/...). */
  baseUrl: string;
  /** A partner's API key, sent as `X-Api-Key`. */
  apiKey?: string;
  /** An operator's admin token, sent as `Authorization: Bearer`. */
  adminToken?: string;
  /** Defaults to the global fetch. */
  fetch?: FetchFunction;
  /** How 429/503 answers and network errors are retried; a number sets `retries`. */
  retries?: number | RetryOptions;
};

export type CallOptions = {
  /** Sent as `Idempotency-Key`; by default a random UUID per call, the same for all its retries. */
  idempotencyKey?: string;
  signal?: AbortSignal;
};

export type WaitOptions = {
  /** How long to keep asking. Default 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
};

export type WaitFailure =
  | { ok: false; code: 'TIMEOUT'; message: string }
  | { ok: false; code: 'HTTP_ERROR'; status: number; error: ApiError };

/** The task once it is finished: `task.status` is completed, failed (see `errorCode`) or cancelled. */
export type TaskWait = { ok: true; task: Task } | WaitFailure;
/** The receipt text (C2SP tlog-proof@v1) once a signed checkpoint covers the outcome; check it with verifyReceipt. */
export type ReceiptWait = { ok: true; receipt: string } | WaitFailure;

export type VeridityClient = Client<paths> & ReturnType<typeof partnerHelpers>;

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Repeating these has the effect of doing them once (RFC 9110 section 9.2.2). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const FINISHED_TASK_STATUSES = new Set(['completed', 'failed', 'cancelled']);
const DEFAULT_WAIT_MS = 60_000;
const POLL_POLICY = { baseDelayMs: 250, maxDelayMs: 5_000 };

/**
 * A typed client for the Veridity API (openapi-fetch over the generated `paths`): `client.GET`,
 * `client.POST`, ... for every operation, plus the helpers a partner needs. Every unsafe call
 * carries an `Idempotency-Key` (yours, or a random one), 429 and 503 answers are retried as
 * `Retry-After` says, and network errors are retried where a repeat cannot do the work twice.
 */
export function createVeridityClient(options: VeridityClientOptions): VeridityClient {
  if (options.apiKey !== undefined && options.adminToken !== undefined) throw new TypeError('give apiKey or adminToken, not both');
  const safeAfterNetworkError = new WeakSet<Request>();
  const fetch = options.fetch ?? ((request: Request, init?: RequestInit) => globalThis.fetch(request, init));
  const api = createClient<paths>({ baseUrl: options.baseUrl, fetch: retryingFetch(fetch, retryPolicy(options.retries), safeAfterNetworkError) });
  api.use(credentials(options), idempotency(safeAfterNetworkError));
  return Object.assign(api, partnerHelpers(api));
}

function credentials({ apiKey, adminToken }: Pick<VeridityClientOptions, 'apiKey' | 'adminToken'>): Middleware {
  return {
    onRequest({ request }) {
      if (apiKey !== undefined && !request.headers.has('x-api-key')) request.headers.set('X-Api-Key', apiKey);
      if (adminToken !== undefined && !request.headers.has('authorization')) request.headers.set('Authorization', `Bearer ${adminToken}`);
    },
  };
}

function idempotency(safeAfterNetworkError: WeakSet<Request>): Middleware {
  return {
    onRequest({ request, schemaPath }) {
      const method = request.method.toUpperCase();
      if (UNSAFE_METHODS.has(method) && !request.headers.has('idempotency-key')) request.headers.set('Idempotency-Key', globalThis.crypto.randomUUID());
      // A key protects only where the server honours it (the generated list); elsewhere an unsafe call is sent once.
      if (IDEMPOTENT_METHODS.has(method) || IDEMPOTENT_OPERATIONS.has(`${method} ${schemaPath}`)) safeAfterNetworkError.add(request);
    },
  };
}

function callInit({ idempotencyKey, signal }: CallOptions) {
  return { ...(idempotencyKey === undefined ? {} : { headers: { 'Idempotency-Key': idempotencyKey } }), ...(signal === undefined ? {} : { signal }) };
}

function partnerHelpers(api: Client<paths>) {
  return {
    /** POST /api/v1/requests: a fresh nonce bound to a claim and your domain, for the holder to prove against. */
    createProofRequest: (body: Schemas['ProofRequestCreate'], options: CallOptions = {}) => api.POST('/api/v1/requests', { body, ...callInit(options) }),

    /** POST /api/v1/verify: checks a holder's zero-knowledge proof; a nonce is accepted once (409 NONCE_REPLAY after). */
    verifyProof: (body: Schemas['ProofVerifyRequest'], options: CallOptions = {}) => api.POST('/api/v1/verify', { body, ...callInit(options) }),

    /** POST /api/v1/tasks: queues a TEE attestation for verification; follow it with waitForTask. */
    submitAttestationTask: (body: Schemas['TaskCreate'], options: CallOptions = {}) => api.POST('/api/v1/tasks', { body, ...callInit(options) }),

    /** Asks for the task, backing off between asks, until a worker has finished it or `timeoutMs` is over. */
    async waitForTask(id: string, options: WaitOptions = {}): Promise<TaskWait> {
      const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_WAIT_MS);
      for (let attempt = 0; ; attempt++) {
        const { data, error, response } = await api.GET('/api/v1/tasks/{id}', { params: { path: { id } }, ...callInit(options) });
        if (data === undefined) return { ok: false, code: 'HTTP_ERROR', status: response.status, error: error as ApiError };
        if (FINISHED_TASK_STATUSES.has(data.status)) return { ok: true, task: data };
        const waited = await waitUntil(deadline, backoffDelay(attempt, POLL_POLICY), options.signal);
        if (!waited) return { ok: false, code: 'TIMEOUT', message: `task ${id} is still ${data.status}` };
      }
    },

    /** GET /api/v1/receipts/{id} for a proof or task id, waiting as its 202 answers say until the ledger has signed over it. */
    async waitForReceipt(id: string, options: WaitOptions = {}): Promise<ReceiptWait> {
      const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_WAIT_MS);
      for (let attempt = 0; ; attempt++) {
        const { data, error, response } = await api.GET('/api/v1/receipts/{id}', { params: { path: { id } }, parseAs: 'text', ...callInit(options) });
        if (data === undefined) return { ok: false, code: 'HTTP_ERROR', status: response.status, error: error as ApiError };
        if (response.status !== 202) return { ok: true, receipt: data };
        const retryAfter = parseRetryAfter(response.headers.get('retry-after') ?? undefined, new Date());
        const waited = await waitUntil(deadline, retryAfter === undefined ? backoffDelay(attempt, POLL_POLICY) : retryAfter * 1000, options.signal);
        if (!waited) return { ok: false, code: 'TIMEOUT', message: `no checkpoint covers ${id} yet` };
      }
    },
  };
}

/** Sleeps `ms`, or false at once when that would pass the deadline. */
async function waitUntil(deadline: number, ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (Date.now() + ms > deadline) return false;
  await sleep(ms, signal);
  return true;
}
