import { Buffer } from 'node:buffer';
import type { LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Clock } from '#platform/clock.ts';
import { parseRetryAfter } from '#client/parse-retry-after.ts';
import type { HostLookup, HostVetting, WebhookUrlProblemCode } from './ssrf-guard.ts';
import { errorText, parseWebhookUrl, resolveAllowedAddresses, systemLookup } from './ssrf-guard.ts';

/**
 * One webhook POST attempt, SSRF-safe: the addresses are vetted inside the socket's own DNS
 * lookup (or before connecting, for an IP literal), so the address connected to is the
 * address checked; there is no second resolution to rebind. Redirects are never followed.
 * Proxy environment variables are ignored. Without `connections` each attempt opens a fresh
 * connection; with them, a connection a receiver keeps alive serves its next attempts (its
 * address was vetted when it was opened, under the same policy).
 */

export const WEBHOOK_USER_AGENT = 'Veridity-Webhooks/1';
export const DEFAULT_DELIVERY_TIMEOUT_MS = 15_000;
export const RESPONSE_BODY_LIMIT_BYTES = 1024;

export type WebhookDeliveryRequest = {
  url: string;
  /** Sent byte for byte (UTF-8): it must be the body that was signed. */
  body: string;
  /** Usually the output of signWebhook. Content-Type, User-Agent and Content-Length are set here. */
  headers: Readonly<Record<string, string>>;
};

/**
 * Keep-alive connection pools for one delivery policy (allowPrivateNetworks and lookup): a
 * socket is only reused for attempts vetted under the policy that connected it, so a worker
 * makes one set beside its policy. Up to `idlePerReceiver` idle connections per receiver (a
 * worker's attempt slots: its batches reach a receiver that many at a time), each closed after
 * IDLE_CONNECTION_MS idle (or before the receiver's own Keep-Alive timeout, which Node reads).
 */
export type WebhookConnections = { readonly http: http.Agent; readonly https: https.Agent };

const IDLE_CONNECTION_MS = 4_000;

export function createWebhookConnections(idlePerReceiver: number): WebhookConnections {
  const options = { keepAlive: true, timeout: IDLE_CONNECTION_MS, maxFreeSockets: idlePerReceiver, scheduling: 'lifo' } as const;
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

export type WebhookDeliveryOptions = {
  allowPrivateNetworks: boolean;
  /** Made once per delivery policy (createWebhookConnections); without, a fresh connection per attempt. */
  connections?: WebhookConnections;
  /** Reads the time for Retry-After dates. */
  clock: Clock;
  /** Whole attempt: DNS, connect, TLS, response headers and body. Default 15 s. */
  timeoutMs?: number;
  /** Defaults to the system resolver. */
  lookup?: HostLookup;
};

export type WebhookDeliveryErrorCode =
  | WebhookUrlProblemCode // refused
  | 'ADDRESS_FORBIDDEN' // refused
  | 'HOST_UNRESOLVABLE' // failed
  | 'CONNECTION_FAILED' // failed: refused, reset, TLS failure
  | 'TIMEOUT' // failed: no complete response head in time
  | 'REDIRECT_NOT_FOLLOWED' // failed: 3xx
  | 'HTTP_ERROR_STATUS'; // failed: any other non-2xx

export type WebhookDeliveryResult = {
  /** refused: not sent because of the URL or address policy; failed: sent or tried, no 2xx. */
  outcome: 'delivered' | 'failed' | 'refused';
  statusCode?: number;
  latencyMs: number;
  /** Absent when delivered. */
  error?: { code: WebhookDeliveryErrorCode; message: string };
  /** At most RESPONSE_BODY_LIMIT_BYTES of UTF-8, cut at a character boundary. */
  responseBody: string;
  responseBodyTruncated: boolean;
  /** Only for 429 and 503. */
  retryAfterSeconds?: number;
  /** 410: the receiver asks to stop sending (disable the endpoint). */
  gone: boolean;
};

type AttemptOutcome = Omit<WebhookDeliveryResult, 'latencyMs'>;

export async function deliverWebhook(
  request: WebhookDeliveryRequest,
  options: WebhookDeliveryOptions,
): Promise<WebhookDeliveryResult> {
  const startedAt = performance.now();
  const outcome = await attempt(request, options);
  return { ...outcome, latencyMs: Math.round(performance.now() - startedAt) };
}

async function attempt(request: WebhookDeliveryRequest, options: WebhookDeliveryOptions): Promise<AttemptOutcome> {
  const parsed = parseWebhookUrl(request.url);
  if (!parsed.ok) return unsent('refused', parsed.code, parsed.message);
  const vet = (host: string): Promise<HostVetting> =>
    resolveAllowedAddresses(host, {
      allowPrivateNetworks: options.allowPrivateNetworks,
      lookup: options.lookup ?? systemLookup,
    });
  // Node's socket skips the lookup hook for IP literals, so those are vetted here.
  if (isIP(parsed.host) !== 0) {
    const vetting = await vet(parsed.host);
    if (!vetting.ok) return unsent('refused', vetting.code, vetting.message);
  }
  const outcome = await post(parsed.url, request, options, vet, options.connections);
  // A kept-alive connection the receiver closed as this attempt began (its idle timeout) is no
  // answer from it: the attempt is made again on a fresh connection, as Node's documentation advises.
  return outcome === 'stale-connection' ? ((await post(parsed.url, request, options, vet, undefined)) as AttemptOutcome) : outcome;
}

/** 'stale-connection' only with `connections`: a reused connection failed before any answer. */
function post(
  url: URL,
  request: WebhookDeliveryRequest,
  options: WebhookDeliveryOptions,
  vet: (host: string) => Promise<HostVetting>,
  connections: WebhookConnections | undefined,
): Promise<AttemptOutcome | 'stale-connection'> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  return new Promise((resolve) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lookupProblem: Extract<HostVetting, { ok: false }> | undefined;
    // Set once the response head arrived: from then on the status decides the outcome.
    let finishResponse: (() => void) | undefined;
    const settle = (outcome: AttemptOutcome | 'stale-connection') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };

    const guardedLookup: LookupFunction = (hostname, lookupOptions: LookupOptions, callback) => {
      vet(hostname).then((vetting) => {
        if (!vetting.ok) {
          lookupProblem = vetting;
          callback(new Error(vetting.message), '', 0);
          return;
        }
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const addresses = vetting.addresses.filter(({ family }) => wanted === 0 || family === wanted);
        const first = addresses[0];
        if (first === undefined) {
          lookupProblem = { ok: false, code: 'HOST_UNRESOLVABLE', message: `${hostname} has no IPv${wanted} address` };
          callback(new Error(lookupProblem.message), '', 0);
        } else if (lookupOptions.all) {
          callback(null, addresses);
        } else {
          callback(null, first.address, first.family);
        }
        // vet() resolves for every expected failure; a rejection (a bug) must still fail the
        // request instead of leaving it hanging or crashing the worker with an unhandled rejection.
      }, (error: unknown) => callback(error as NodeJS.ErrnoException, '', 0));
    };

    const body = Buffer.from(request.body, 'utf8');
    const secure = url.protocol === 'https:';
    const req = (secure ? https : http).request(url, {
      method: 'POST',
      agent: connections ? (secure ? connections.https : connections.http) : false,
      lookup: guardedLookup,
      headers: {
        ...request.headers,
        'content-type': 'application/json',
        'user-agent': WEBHOOK_USER_AGENT,
        'content-length': String(body.length),
      },
    });
    timer = setTimeout(() => {
      if (finishResponse) finishResponse();
      else settle(unsent('failed', 'TIMEOUT', `no response within ${timeoutMs} ms`));
      req.destroy();
    }, timeoutMs);

    req.on('error', (error) => {
      if (finishResponse) return; // the response handlers settle
      const code = (error as NodeJS.ErrnoException).code;
      if (req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) {
        settle('stale-connection');
      } else if (lookupProblem) {
        const outcome = lookupProblem.code === 'ADDRESS_FORBIDDEN' ? 'refused' : 'failed';
        settle(unsent(outcome, lookupProblem.code, lookupProblem.message));
      } else {
        settle(unsent('failed', 'CONNECTION_FAILED', errorText(error)));
      }
    });

    req.on('response', (res) => {
      const statusCode = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let received = 0;
      let truncated = false;
      // Runs on end, on truncation, and when the timeout or the receiver cuts the body short.
      const finish = () => {
        const kept = Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT_BYTES);
        // stream: true holds back a character split by the cut instead of emitting U+FFFD.
        const responseBody = new TextDecoder().decode(kept, { stream: true });
        settle(responseOutcome(statusCode, res.headers, responseBody, truncated, options.clock));
      };
      finishResponse = finish;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received > RESPONSE_BODY_LIMIT_BYTES) {
          truncated = true;
          finish();
          res.destroy(); // stop reading: the rest is never downloaded
        }
      });
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    });

    req.end(body);
  });
}

function responseOutcome(
  statusCode: number,
  headers: http.IncomingHttpHeaders,
  responseBody: string,
  responseBodyTruncated: boolean,
  clock: Clock,
): AttemptOutcome {
  const base = { statusCode, responseBody, responseBodyTruncated, gone: statusCode === 410 };
  if (statusCode >= 200 && statusCode < 300) return { ...base, outcome: 'delivered' };
  const retryAfterSeconds = statusCode === 429 || statusCode === 503
    ? parseRetryAfter(headers['retry-after'], clock.now())
    : undefined;
  const error: AttemptOutcome['error'] = statusCode >= 300 && statusCode < 400
    ? { code: 'REDIRECT_NOT_FOLLOWED', message: `receiver answered ${statusCode} (redirect to ${String(headers.location ?? 'nowhere').slice(0, 200)} not followed; update the webhook URL)` }
    : { code: 'HTTP_ERROR_STATUS', message: `receiver answered ${statusCode}` };
  return { ...base, outcome: 'failed', error, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
}

function unsent(outcome: 'failed' | 'refused', code: WebhookDeliveryErrorCode, message: string): AttemptOutcome {
  return { outcome, error: { code, message }, responseBody: '', responseBodyTruncated: false, gone: false };
}
