import client from 'prom-client';
import type { Config } from '#src/config.ts';
import { globalManagerTasks } from '#src/global-manager-tasks.ts';
import { openRuntime, type Runtime } from '#src/runtime.ts';
import { createLogger } from '#platform/logger.ts';
import { onShutdownSignal } from '#platform/process/on-shutdown-signal.ts';
import { startAdminServer } from '#modules/global-manager/admin-server.ts';
import { startGlobalManager, type GlobalManager } from '#modules/global-manager/global-manager.ts';
import { createGlobalManagerMetrics } from '#modules/global-manager/metrics.ts';

export const GLOBAL_MANAGER_HELP = `Usage: veridity global-manager

Runs the global manager alone: every GLOBAL_MANAGER_INTERVAL_SECONDS (default 300) the leader runs
its tasks in order (usage aggregation, charges, invoices, the gateway vault, cleanups). Leadership
is a PostgreSQL advisory lock: start several, one leads, the others are hot standbys trying the
lock every GLOBAL_MANAGER_STANDBY_POLL_SECONDS. Status page, /status.json and /metrics on
GLOBAL_MANAGER_ADMIN_HOST:GLOBAL_MANAGER_ADMIN_PORT (default 127.0.0.1:9464; 0 picks a free port).
SIGTERM finishes the task in progress, releases the lock and exits 0. 'serve' runs it in-process
on the embedded database (GLOBAL_MANAGER_EMBEDDED).`;

/** The global manager of this build on a runtime, its metrics in `registry`. */
export function runGlobalManager(runtime: Runtime, registry: client.Registry): GlobalManager {
  const { config, log, database } = runtime;
  return startGlobalManager({
    deps: { pool: database.pool, db: database.db, storage: runtime.storage, platformKeys: runtime.platformKeys, log },
    databaseUrl: database.url,
    clock: runtime.clock,
    log,
    tasks: globalManagerTasks({ runsKeepDays: config.globalManager.runsKeepDays, billingCurrency: config.billingCurrency, invoiceGraceMinutes: config.globalManager.invoiceGraceMinutes }),
    settings: config.globalManager,
    metrics: createGlobalManagerMetrics(registry),
  });
}

/** `veridity global-manager`. */
export async function globalManager(config: Config): Promise<void> {
  const log = createLogger(config.logLevel);
  const runtime = await openRuntime(config, log);
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'veridity_' });
  const manager = runGlobalManager(runtime, registry);
  const { adminHost, adminPort } = config.globalManager;
  let server;
  try {
    server = await startAdminServer({ pool: runtime.database.pool, clock: runtime.clock, log, manager, registry, host: adminHost, port: adminPort });
  } catch (error) {
    await manager.stop();
    await runtime.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : adminPort;
  log.info({ status: `http://${adminHost}:${port}/`, interval_seconds: config.globalManager.intervalSeconds }, 'global manager started');
  onShutdownSignal(log, 'the global manager', async () => {
    await manager.stop();
    server.closeAllConnections();
    server.close();
    await runtime.close();
  });
}
