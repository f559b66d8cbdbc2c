import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { claimDueOutboxSql, hasDueOutboxRows } from '#platform/db/outbox.ts';
import type { Pool, PoolClient } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import type { Logger } from '#platform/logger.ts';
import { traced, type TraceContext } from '#platform/telemetry/tracing.ts';
import { findDisabledClientIds } from '#modules/clients/find-disabled-client-ids.ts';
import { decideDeliveryState, type DeliveryState } from './decide-delivery-state.ts';
import { deliverWebhook, RESPONSE_BODY_LIMIT_BYTES, type WebhookConnections, type WebhookDeliveryErrorCode, type WebhookDeliveryResult } from './delivery/deliver-webhook.ts';
import { signWebhook } from './delivery/sign-webhook.ts';
import type { HostLookup } from './delivery/ssrf-guard.ts';
import { WEBHOOK_QUEUE, type WebhookMetrics } from './metrics.ts';
import { webhookSecretContext } from './webhook-secret-context.ts';

export type WebhookWorkerDeps = {
  pool: Pool;
  clock: Clock;
  secretBox: SecretBox;
  log: Logger;
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: whether receivers may be on loopback or private networks. */
  allowPrivateNetworks: boolean;
  /** Keep-alive pools made for this policy (createWebhookConnections); without, a fresh connection per attempt. */
  connections?: WebhookConnections;
  metrics?: WebhookMetrics;
  /** Seams for tests: DNS, the jitter draw, the per-attempt timeout (default 15 s). */
  lookup?: HostLookup;
  random?: () => number;
  timeoutMs?: number;
};

export type BatchReport = { claimed: number; delivered: number; retrying: number; dead: number };

export const EMPTY_REPORT: BatchReport = { claimed: 0, delivered: 0, retrying: 0, dead: 0 };

type ClaimedRow = {
  id: string;
  client_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  attempt: number;
  attempts_total: number;
  created_at: Date;
  trace_context: TraceContext | null;
  /** The endpoint's columns are null when the partner has no webhook endpoint. */
  url: string | null;
  secret_sealed: string | null;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  disabled_at: Date | null;
};

/** Why a delivery went dead without an attempt: there was nowhere (allowed) to send it. */
type NoEndpointReason = 'CLIENT_DISABLED' | 'NO_ENDPOINT' | 'ENDPOINT_DISABLED';

/** SECRET_UNAVAILABLE: nothing was sent because the stored signing secret could not be opened. */
type AttemptResult = Omit<WebhookDeliveryResult, 'error'> & {
  error?: { code: WebhookDeliveryErrorCode | 'SECRET_UNAVAILABLE'; message: string };
};

type AttemptRecord = {
  id: string;
  attempt: number;
  attemptedAt: Date;
  url: string;
  result: AttemptResult;
};

/** Opens a sealed secret; shared by a batch's attempts. */
type SecretOpener = (sealed: string, context: string) => string;

type RowOutcome =
  | { kind: 'attempted'; row: ClaimedRow; attempt: AttemptRecord; state: DeliveryState; finishedAt: Date }
  | { kind: 'no-endpoint'; row: ClaimedRow; reason: NoEndpointReason; message: string; finishedAt: Date };

// Due by the worker's clock (injectable: it drives the retry schedule) or by the database's:
// new rows are stamped with the database's now(), so a worker clock behind it delays nothing.
const CLAIM_SQL = claimDueOutboxSql({
  table: 'webhooks_outbox',
  columns: 'o.id, o.client_id, o.event_type, o.payload, o.attempt, o.attempts_total, o.created_at, o.trace_context, e.url, e.secret_sealed, e.previous_secret_sealed, e.previous_secret_expires_at, e.disabled_at',
  join: 'LEFT JOIN webhook_endpoints e ON e.client_id = o.client_id',
});

// One round trip records a batch: its attempt rows and each delivery's next state.
const RECORD_SQL = `
  WITH attempts AS (
    INSERT INTO webhook_attempts (id, delivery_id, attempt, attempted_at, url, outcome, status_code, latency_ms,
                                  error_code, error_message, response_body, response_body_truncated)
    SELECT * FROM unnest($10::text[], $11::text[], $12::int[], $13::timestamptz[], $14::text[], $15::text[], $16::int[],
                         $17::int[], $18::text[], $19::text[], $20::text[], $21::bool[])
  )
  UPDATE webhooks_outbox o
     SET status = u.status,
         attempt = u.attempt,
         attempts_total = u.attempts_total,
         next_attempt_at = coalesce(u.next_attempt_at, o.next_attempt_at),
         delivered_at = coalesce(u.delivered_at, o.delivered_at),
         dead_at = u.dead_at,
         last_attempt_at = coalesce(u.last_attempt_at, o.last_attempt_at),
         last_error = u.last_error
    FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[],
                $8::timestamptz[], $9::text[])
         AS u(id, status, attempt, attempts_total, next_attempt_at, delivered_at, dead_at, last_attempt_at, last_error)
   WHERE o.id = u.id`;

const DISABLE_ENDPOINTS_SQL = `
  UPDATE webhook_endpoints SET disabled_at = $2, disabled_reason = $3
   WHERE client_id = ANY($1::text[]) AND disabled_at IS NULL`;

const ERROR_TEXT_LIMIT = 1000;

/** Whether any delivery is due: a cheap probe, so idle workers do not open transactions. */
export async function hasDueWebhooks(deps: Pick<WebhookWorkerDeps, 'pool' | 'clock'>): Promise<boolean> {
  return hasDueOutboxRows(deps.pool, 'webhooks_outbox', deps.clock.now());
}

/**
 * Claims up to `limit` due deliveries, attempts them concurrently, and records every attempt
 * and each delivery's next state, all in one transaction that holds the rows' locks.
 * `rowFinished` runs as each claimed row's attempt ends (the caller's attempt slots).
 * Throws only when the database fails (the batch then rolls back and is due again).
 */
export async function deliverDueWebhooks(deps: WebhookWorkerDeps, options: { limit: number; rowFinished?: () => void }): Promise<BatchReport> {
  const client = await deps.pool.connect();
  let connectionBroken = false;
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<ClaimedRow>(CLAIM_SQL, [deps.clock.now(), options.limit]);
    if (rows.length === 0) {
      await client.query('COMMIT');
      return EMPTY_REPORT;
    }
    const disabledClients = await findDisabledClientIds(client, [...new Set(rows.map((row) => row.client_id))]);
    const openSecret = secretOpener(deps.secretBox);
    const outcomes = await Promise.all(
      rows.map(async (row) => {
        const outcome = await attemptRow(deps, openSecret, row, disabledClients.has(row.client_id));
        options.rowFinished?.();
        return outcome;
      }),
    );
    await record(client, outcomes);
    await client.query('COMMIT');
    observe(deps, outcomes);
    return report(outcomes);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      connectionBroken = true;
    });
    throw error;
  } finally {
    client.release(connectionBroken);
  }
}

async function attemptRow(deps: WebhookWorkerDeps, openSecret: SecretOpener, row: ClaimedRow, clientDisabled: boolean): Promise<RowOutcome> {
  const noEndpoint = (reason: NoEndpointReason, message: string): RowOutcome => ({ kind: 'no-endpoint', row, reason, message, finishedAt: deps.clock.now() });
  if (clientDisabled) return noEndpoint('CLIENT_DISABLED', 'the partner is disabled');
  if (!row.url || !row.secret_sealed) return noEndpoint('NO_ENDPOINT', 'the partner has no webhook URL');
  if (row.disabled_at) return noEndpoint('ENDPOINT_DISABLED', 'the endpoint was disabled after it answered 410 Gone');

  const attemptedAt = deps.clock.now();
  const number = row.attempts_total + 1;
  const url = row.url;
  // The attempt continues the trace that wrote the event; its POST (a child span) carries `traceparent`.
  const result = await traced(
    'webhook delivery',
    { kind: 'consumer', parent: row.trace_context ?? undefined, attributes: { 'veridity.webhook.delivery_id': row.id, 'veridity.webhook.event_type': row.event_type, 'veridity.webhook.attempt': number } },
    async (span) => {
      const sent = await send(deps, openSecret, row, url, attemptedAt);
      span.setAttributes({ 'veridity.webhook.outcome': sent.outcome });
      if (sent.error) span.fail(`${sent.error.code}: ${sent.error.message}`);
      return sent;
    },
  );
  const attempt: AttemptRecord = { id: newId('wha'), attempt: number, attemptedAt, url, result };
  const finishedAt = deps.clock.now();
  const state = decideDeliveryState({ attemptInRound: row.attempt + 1, result: attempt.result, now: finishedAt, ...(deps.random ? { random: deps.random } : {}) });
  return { kind: 'attempted', row, attempt, state, finishedAt };
}

async function send(deps: WebhookWorkerDeps, openSecret: SecretOpener, row: ClaimedRow, url: string, attemptedAt: Date): Promise<AttemptResult> {
  const body = JSON.stringify(row.payload);
  let headers: Record<string, string>;
  try {
    headers = signWebhook({ id: row.id, timestamp: attemptedAt, body, secrets: openSecrets(openSecret, row, attemptedAt) });
  } catch (error) {
    // A configuration fault (e.g. the key that sealed the secret was removed from
    // VERIDITY_ENCRYPTION_KEY): recorded as a failed attempt and retried on the schedule,
    // rather than failing the whole batch again and again.
    deps.log.error({ err: error, delivery_id: row.id, client_id: row.client_id }, 'cannot sign the webhook with the stored secret');
    return {
      outcome: 'failed',
      latencyMs: 0,
      error: { code: 'SECRET_UNAVAILABLE', message: 'the signing secret cannot be opened with the configured VERIDITY_ENCRYPTION_KEY' },
      responseBody: '',
      responseBodyTruncated: false,
      gone: false,
    };
  }
  return deliverWebhook(
    { url, body, headers },
    {
      allowPrivateNetworks: deps.allowPrivateNetworks,
      clock: deps.clock,
      ...(deps.connections ? { connections: deps.connections } : {}),
      ...(deps.lookup ? { lookup: deps.lookup } : {}),
      ...(deps.timeoutMs === undefined ? {} : { timeoutMs: deps.timeoutMs }),
    },
  );
}

/** The current secret, then the previous one while its rotation window is open. */
function openSecrets(openSecret: SecretOpener, row: ClaimedRow, now: Date): string[] {
  const context = webhookSecretContext(row.client_id);
  const secrets = [openSecret(row.secret_sealed!, context)];
  if (row.previous_secret_sealed && row.previous_secret_expires_at && row.previous_secret_expires_at > now) {
    secrets.push(openSecret(row.previous_secret_sealed, context));
  }
  return secrets;
}

/** Each sealed secret is opened once per batch: a partner's rows in it share the same secret. */
function secretOpener(secretBox: SecretBox): SecretOpener {
  const opened = new Map<string, string>();
  return (sealed, context) => {
    const key = `${context}\n${sealed}`;
    let secret = opened.get(key);
    if (secret === undefined) opened.set(key, (secret = secretBox.decrypt(sealed, context).toString('utf8')));
    return secret;
  };
}

async function record(client: PoolClient, outcomes: RowOutcome[]): Promise<void> {
  const attempted = outcomes.filter((o): o is Extract<RowOutcome, { kind: 'attempted' }> => o.kind === 'attempted');
  const updates = outcomes.map((o) => nextRow(o));
  const a = attempted.map((o) => o.attempt);
  await client.query(RECORD_SQL, [
    updates.map((u) => u.id),
    updates.map((u) => u.status),
    updates.map((u) => u.attempt),
    updates.map((u) => u.attemptsTotal),
    updates.map((u) => u.nextAttemptAt),
    updates.map((u) => u.deliveredAt),
    updates.map((u) => u.deadAt),
    updates.map((u) => u.lastAttemptAt),
    updates.map((u) => u.lastError),
    a.map((x) => x.id),
    attempted.map((o) => o.row.id),
    a.map((x) => x.attempt),
    a.map((x) => x.attemptedAt),
    a.map((x) => x.url),
    a.map((x) => x.result.outcome),
    a.map((x) => x.result.statusCode ?? null),
    a.map((x) => x.result.latencyMs),
    a.map((x) => x.result.error?.code ?? null),
    a.map((x) => (x.result.error ? cleanText(x.result.error.message).slice(0, ERROR_TEXT_LIMIT) : null)),
    a.map((x) => fitBytes(cleanText(x.result.responseBody), RESPONSE_BODY_LIMIT_BYTES)),
    a.map((x) => x.result.responseBodyTruncated || Buffer.byteLength(cleanText(x.result.responseBody)) > RESPONSE_BODY_LIMIT_BYTES),
  ]);

  const gone = attempted.filter((o) => o.state.status === 'dead' && o.state.reason === 'GONE');
  if (gone.length > 0) {
    const clientIds = [...new Set(gone.map((o) => o.row.client_id))];
    await client.query(DISABLE_ENDPOINTS_SQL, [clientIds, gone[0]!.finishedAt, 'the receiver answered 410 Gone']);
  }
}

function nextRow(outcome: RowOutcome) {
  const { row, finishedAt } = outcome;
  if (outcome.kind === 'no-endpoint') {
    return {
      id: row.id, status: 'dead', attempt: row.attempt, attemptsTotal: row.attempts_total,
      nextAttemptAt: null, deliveredAt: null, deadAt: finishedAt, lastAttemptAt: null,
      lastError: `${outcome.reason}: ${outcome.message}`,
    };
  }
  const { attempt, state } = outcome;
  const error = attempt.result.error;
  return {
    id: row.id,
    status: state.status,
    attempt: row.attempt + 1,
    attemptsTotal: attempt.attempt,
    nextAttemptAt: state.status === 'pending' ? state.nextAttemptAt : null,
    deliveredAt: state.status === 'delivered' ? finishedAt : null,
    deadAt: state.status === 'dead' ? finishedAt : null,
    lastAttemptAt: attempt.attemptedAt,
    lastError: error ? cleanText(`${error.code}: ${error.message}`).slice(0, ERROR_TEXT_LIMIT) : null,
  };
}

/** PostgreSQL text cannot hold NUL; a receiver's body may. */
function cleanText(text: string): string {
  return text.replaceAll('\u0000', '');
}

/**
 * At most `limit` bytes of UTF-8, cut at a character boundary. The kept 1 KiB of a binary body
 * decodes to replacement characters of 3 bytes each, so it can outgrow the limit.
 */
function fitBytes(text: string, limit: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= limit ? text : new TextDecoder().decode(bytes.subarray(0, limit), { stream: true });
}

function report(outcomes: RowOutcome[]): BatchReport {
  const counts = { ...EMPTY_REPORT, claimed: outcomes.length };
  for (const o of outcomes) {
    if (o.kind === 'no-endpoint') counts.dead += 1;
    else if (o.state.status === 'delivered') counts.delivered += 1;
    else if (o.state.status === 'pending') counts.retrying += 1;
    else counts.dead += 1;
  }
  return counts;
}

function observe(deps: WebhookWorkerDeps, outcomes: RowOutcome[]): void {
  for (const o of outcomes) {
    const logFields = { delivery_id: o.row.id, client_id: o.row.client_id, event_type: o.row.event_type };
    if (o.kind === 'no-endpoint') {
      deps.metrics?.deadLetters.inc({ reason: o.reason });
      deps.log.info({ ...logFields, reason: o.reason }, 'webhook dead-lettered without an attempt');
      continue;
    }
    const { result } = o.attempt;
    deps.metrics?.attempts.inc({ outcome: result.outcome });
    deps.metrics?.attemptDuration.observe(result.latencyMs / 1000);
    if (o.state.status === 'delivered') {
      deps.metrics?.deliveryDelay.observe(Math.max(0, o.finishedAt.getTime() - o.row.created_at.getTime()) / 1000);
      continue;
    }
    deps.metrics?.failures.inc({ queue: WEBHOOK_QUEUE });
    const attemptFields = { ...logFields, attempt: o.attempt.attempt, status_code: result.statusCode, error_code: result.error?.code };
    if (o.state.status === 'dead') {
      deps.metrics?.deadLetters.inc({ reason: o.state.reason });
      if (o.state.reason === 'GONE') deps.log.warn(attemptFields, 'webhook endpoint answered 410 Gone: endpoint disabled');
      else deps.log.warn(attemptFields, 'webhook delivery is dead after its last attempt');
    } else {
      deps.log.info({ ...attemptFields, next_attempt_at: o.state.nextAttemptAt }, 'webhook attempt failed; will retry');
    }
  }
}
