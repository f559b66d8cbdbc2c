import http from 'node:http';
import client from 'prom-client';
import type { Config } from '#src/config.ts';
import { openRuntime } from '#src/runtime.ts';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { createLogger, type Logger } from '#platform/logger.ts';
import { startQueue, type Queue } from '#platform/queue/queue.ts';
import { pgBossQueueDepth, registerQueueDepthMetrics } from '#platform/queue/queue-metrics.ts';
import type { RunningWorker, WorkerKind } from '#platform/queue/worker-kind.ts';
import { webhookOutboxDepth } from '#modules/webhooks/metrics.ts';
import { webhookWorkerKinds } from '#modules/webhooks/worker-kinds.ts';
import { ledgerWorkerKinds } from '#modules/ledger/worker-kinds.ts';
import { OUTCOME_SOURCES } from '#src/outcome-sources.ts';
import { attestationWorkerKinds } from '#modules/attestations/worker-kinds.ts';
import { maintenanceWorkerKinds } from '#modules/maintenance/worker-kinds.ts';
import { evidenceWorkerKinds } from '#modules/evidence/worker-kinds.ts';
import { evidenceCertifier } from '#src/evidence-certification.ts';
import { partnerCertificatePdfLoader } from '#modules/certificates/load-partner-certificate-pdf.ts';
import { enqueueNotification } from '#modules/notifications/enqueue-notification.ts';
import { notificationWorkerKinds } from '#modules/notifications/worker-kinds.ts';
import { anchorWorkerKinds } from '#modules/anchoring/worker-kinds.ts';
import { anchorAdapter, certificatesOnAnchorConfirmed } from '#src/anchoring-certification.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { usageError } from './cli-error.ts';
import { onShutdownSignal } from '#platform/process/on-shutdown-signal.ts';

/** Past this, a stop gives up waiting: what is still in flight is released when the process exits. */
export const WORKER_STOP_TIMEOUT_MS = 20_000;

export type WorkerRuntime = {
  config: Pick<Config, 'webhookAllowPrivateNetworks' | 'webhookConcurrency' | 'ledgerCheckpointSeconds' | 'pccsUrl' | 'teeAcceptedTcbStatuses' | 'teeWorkerConcurrency' | 'evidenceWorkerConcurrency' | 'evidenceRetestLimit' | 'evidenceRetryBatchSize' | 'evidenceRetentionDays' | 'evidenceRetentionAnonymise' | 'publicUrl' | 'smtp' | 'notificationAttachmentMaxBytes' | 'notificationConcurrency' | 'anchor'>;
  log: Logger;
  clock: Clock;
  secretBox: SecretBox;
  databaseUrl: string;
  /** Where attestation result documents and evidence live. */
  storage: ObjectStorage;
  /** Where the workers' metrics go (the API's registry when embedded in `serve`). */
  registry: client.Registry;
};

/** Every worker kind of this build. `runtime` is read when a kind starts (names and help need none). */
export function workerKinds(runtime: () => WorkerRuntime & { queue: () => Promise<Queue> }): WorkerKind[] {
  return [
    ...webhookWorkerKinds(() => {
      const r = runtime();
      return {
        databaseUrl: r.databaseUrl,
        clock: r.clock,
        secretBox: r.secretBox,
        log: r.log,
        registry: r.registry,
        queue: r.queue,
        allowPrivateNetworks: r.config.webhookAllowPrivateNetworks,
        concurrency: r.config.webhookConcurrency,
      };
    }),
    ...ledgerWorkerKinds(() => {
      const r = runtime();
      return { databaseUrl: r.databaseUrl, clock: r.clock, secretBox: r.secretBox, log: r.log, registry: r.registry, queue: r.queue, checkpointSeconds: r.config.ledgerCheckpointSeconds, outcomeSources: OUTCOME_SOURCES };
    }),
    ...maintenanceWorkerKinds(() => {
      const r = runtime();
      return {
        databaseUrl: r.databaseUrl,
        clock: r.clock,
        log: r.log,
        queue: r.queue,
        storage: r.storage,
        evidenceRetention: { days: r.config.evidenceRetentionDays, anonymise: r.config.evidenceRetentionAnonymise },
      };
    }),
    ...attestationWorkerKinds(() => {
      const r = runtime();
      return {
        databaseUrl: r.databaseUrl,
        clock: r.clock,
        secretBox: r.secretBox,
        storage: r.storage,
        log: r.log,
        registry: r.registry,
        queue: r.queue,
        pccsUrl: r.config.pccsUrl,
        acceptedTcbStatuses: r.config.teeAcceptedTcbStatuses,
        concurrency: r.config.teeWorkerConcurrency,
      };
    }),
    ...evidenceWorkerKinds(() => {
      const r = runtime();
      // E-mail is queued with the outcomes only when it can be sent (SMTP_URL set).
      const notify = r.config.smtp ? { notify: enqueueNotification } : {};
      return {
        databaseUrl: r.databaseUrl,
        clock: r.clock,
        secretBox: r.secretBox,
        storage: r.storage,
        log: r.log,
        queue: r.queue,
        concurrency: r.config.evidenceWorkerConcurrency,
        retestLimit: r.config.evidenceRetestLimit,
        retryBatchSize: r.config.evidenceRetryBatchSize,
        certifier: evidenceCertifier({ secretBox: r.secretBox, clock: r.clock, publicUrl: r.config.publicUrl, ...notify }),
        ...notify,
      };
    }),
    ...notificationWorkerKinds(() => {
      const r = runtime();
      return {
        databaseUrl: r.databaseUrl,
        clock: r.clock,
        log: r.log,
        smtp: r.config.smtp,
        publicUrl: r.config.publicUrl,
        attachmentLimitBytes: r.config.notificationAttachmentMaxBytes,
        concurrency: r.config.notificationConcurrency,
        certificatePdf: (pool) => partnerCertificatePdfLoader({ pool, storage: r.storage, secretBox: r.secretBox, clock: r.clock, publicUrl: r.config.publicUrl }),
      };
    }),
    ...anchorWorkerKinds(() => {
      const r = runtime();
      return {
        databaseUrl: r.databaseUrl,
        clock: r.clock,
        log: r.log,
        adapter: () => anchorAdapter(r.config.anchor),
        confirmations: r.config.anchor.confirmations,
        intervalSeconds: r.config.anchor.intervalSeconds,
        onConfirmed: certificatesOnAnchorConfirmed,
      };
    }),
  ];
}

export type Workers = {
  names: string[];
  /** Stops every kind (each finishing its work in flight), then pg-boss. */
  stop(options?: { timeoutMs?: number }): Promise<{ finished: boolean }>;
};

type Selection = { ok: true; kinds: WorkerKind[] } | { ok: false; unknown: string[] };

function select(all: WorkerKind[], names: readonly string[]): Selection {
  if (names.length === 0) return { ok: true, kinds: all };
  const unknown = names.filter((name) => !all.some((kind) => kind.name === name));
  if (unknown.length > 0) return { ok: false, unknown };
  return { ok: true, kinds: all.filter((kind) => names.includes(kind.name)) };
}

/** Starts the named kinds (all when none is named); used by `veridity worker` and by `serve`. */
export async function startWorkers(runtime: WorkerRuntime, names: readonly string[] = []): Promise<Workers> {
  let queue: Promise<Queue> | undefined;
  const lazyQueue = () => (queue ??= startQueue({ connectionString: runtime.databaseUrl, log: runtime.log.child({ component: 'queue' }) }));
  const selection = select(workerKinds(() => ({ ...runtime, queue: lazyQueue })), names);
  if (!selection.ok) throw usageError(`unknown worker kind(s): ${selection.unknown.join(', ')}`, workerHelp());

  const running: RunningWorker[] = [];
  try {
    for (const kind of selection.kinds) running.push(await kind.start());
  } catch (error) {
    await Promise.all(running.map((worker) => worker.stop({ timeoutMs: WORKER_STOP_TIMEOUT_MS })));
    if (queue) await (await queue).stop({ graceful: false });
    throw error;
  }
  return {
    names: selection.kinds.map((kind) => kind.name),
    async stop(options = {}) {
      const timeoutMs = options.timeoutMs ?? WORKER_STOP_TIMEOUT_MS;
      const results = await Promise.all(running.map((worker) => worker.stop({ timeoutMs })));
      if (queue) await (await queue).stop({ graceful: true, timeoutMs });
      return { finished: results.every((result) => result.finished) };
    },
  };
}

export function workerHelp(): string {
  const kinds = workerKinds(() => {
    throw new Error('help needs no runtime');
  });
  const width = Math.max(...kinds.map((kind) => kind.name.length));
  return `Usage: veridity worker [kinds...]

Runs queue consumers (all kinds when none is named) until SIGTERM/SIGINT; a stop lets work in
flight finish (up to ${WORKER_STOP_TIMEOUT_MS / 1000} s). Any number of worker processes may run on one database.

Kinds:
${kinds.map((kind) => `  ${kind.name.padEnd(width)}  ${kind.description}`).join('\n')}

Environment:
  WORKER_ONCE=true                      one pass over what is due now, print the counts as JSON, exit
  WEBHOOK_CONCURRENCY=16                webhook deliveries in flight at once in this process
  WEBHOOK_ALLOW_PRIVATE_NETWORKS=false  let webhooks reach loopback/private addresses
  WORKER_METRICS_PORT                   serve Prometheus metrics on HOST:<port>/metrics
  LEDGER_CHECKPOINT_SECONDS=5           least time between two signed ledger checkpoints
  TEE_WORKER_CONCURRENCY=2              attestation tasks verified at once in this process
  EVIDENCE_WORKER_CONCURRENCY=2         signed-evidence documents verified at once in this process
  EVIDENCE_RETEST_LIMIT=5               retry: most re-tests of one evidence submission
  EVIDENCE_RETRY_BATCH_SIZE=100         retry: most submissions re-tested per pass
  EVIDENCE_RETENTION_DAYS=365           maintenance: delete signed evidence documents older than this
  EVIDENCE_RETENTION_ANONYMISE=true     ... and replace rejection messages (they name signers) by the code's meaning
  PUBLIC_URL                            where the certificates the evidence worker issues are verified
  SMTP_URL, SMTP_FROM                   send notification e-mails through this server (off when unset)
  NOTIFICATION_CONCURRENCY=4            e-mails sent at once in this process
  ANCHOR_ADAPTER=noop                   anchor ledger checkpoints on a chain: noop (none) or evm
                                        (ANCHOR_RPC_URL, ANCHOR_PRIVATE_KEY, ANCHOR_TO_ADDRESS,
                                        ANCHOR_CONFIRMATIONS=12, ANCHOR_INTERVAL_SECONDS=600)
  PCCS_URL                              fetch missing or expired TEE collateral from this PCCS

'veridity serve' runs every kind itself unless VERIDITY_EMBEDDED_WORKERS=false.`;
}

/**
 * WORKER_ONCE=true: one pass of each named kind, in order, then the counts. pg-boss is started
 * only when a pass enqueues (the retry pass queues failed evidence again), without schedules, and
 * stopped at the end; nothing is consumed from it here but by the kinds' own passes.
 */
export async function runWorkersOnce(runtime: WorkerRuntime, names: readonly string[], print: (report: Record<string, Record<string, number>>) => void): Promise<void> {
  let queue: Promise<Queue> | undefined;
  const lazyQueue = () => (queue ??= startQueue({ connectionString: runtime.databaseUrl, log: runtime.log.child({ component: 'queue' }), schedule: false }));
  const once = workerKinds(() => ({ ...runtime, queue: lazyQueue })).filter((kind) => names.includes(kind.name));
  try {
    const report: Record<string, Record<string, number>> = {};
    for (const kind of once) report[kind.name] = await kind.runOnce();
    print(report);
  } finally {
    if (queue) await (await queue).stop({ graceful: false });
  }
}

/** `veridity worker [kinds...]`. */
export async function worker(config: Config, argv: string[]): Promise<void> {
  const names = argv.filter((arg) => !arg.startsWith('-'));
  const flags = argv.filter((arg) => arg.startsWith('-'));
  if (flags.length > 0) throw usageError(`unknown option(s): ${flags.join(' ')}`, workerHelp());
  // Check the names before opening (or starting) a database.
  const known = workerKinds(() => {
    throw new Error('only names are read here');
  });
  const selection = select(known, names);
  if (!selection.ok) throw usageError(`unknown worker kind(s): ${selection.unknown.join(', ')}`, workerHelp());

  const log = createLogger(config.logLevel);
  const runtime = await openRuntime(config, log);
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'veridity_' });
  const workerRuntime: WorkerRuntime = {
    config,
    log,
    clock: runtime.clock,
    secretBox: runtime.secretBox,
    databaseUrl: runtime.database.url,
    storage: runtime.storage,
    registry,
  };

  if (config.workerOnce) {
    await runWorkersOnce(workerRuntime, selection.kinds.map((kind) => kind.name), (report) => process.stdout.write(JSON.stringify(report) + '\n')).finally(() => runtime.close());
    return;
  }

  registerQueueDepthMetrics(registry, [webhookOutboxDepth(runtime.database.pool), pgBossQueueDepth(runtime.database.pool)]);
  let workers: Workers;
  try {
    workers = await startWorkers(workerRuntime, names);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const metricsServer = config.workerMetricsPort === undefined ? undefined : await serveMetrics(registry, config.host, config.workerMetricsPort);
  log.info({ kinds: workers.names, metrics: metricsServer ? `http://${config.host}:${config.workerMetricsPort}/metrics` : undefined }, 'worker started');

  onShutdownSignal(log, 'the worker', async () => {
    const { finished } = await workers.stop();
    if (!finished) log.warn('work still in flight after the stop timeout: it is released as the process exits');
    metricsServer?.closeAllConnections();
    metricsServer?.close();
    await runtime.close();
  });
}

async function serveMetrics(registry: client.Registry, host: string, port: number): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}
