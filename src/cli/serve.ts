import { buildApp } from '#src/app.ts';
import type { Config } from '#src/config.ts';
import { openRuntime } from '#src/runtime.ts';
import { createLogger } from '#platform/logger.ts';
import { bootstrapAdminToken } from '#modules/admin/create-admin-token.ts';
import { registerBundledCircuits } from '#modules/zk/circuits/register-bundled-circuits.ts';
import { createGroth16VerifierPool } from '#modules/zk/groth16/verifier-pool.ts';
import { formatBanner } from './banner.ts';
import { startWorkers, type Workers } from './worker.ts';
import { onShutdownSignal } from '#platform/process/on-shutdown-signal.ts';
import { startChangeFeed } from '#platform/db/change-feed.ts';
import type { GlobalManager } from '#modules/global-manager/global-manager.ts';
import { runGlobalManager } from './global-manager.ts';

/** `veridity serve`: the HTTP API on the configured (or embedded) database until SIGTERM/SIGINT. */
export async function serve(config: Config): Promise<void> {
  const log = createLogger(config.logLevel);
  const runtime = await openRuntime(config, log);
  const { database, clock, secretBox } = runtime;

  // Printed once (in the banner, or below when start-up fails first), stored only as a hash.
  const adminToken = config.adminToken ? undefined : (await bootstrapAdminToken({ db: database.db, clock }))?.token;
  const printTokenOnFailure = () => {
    if (adminToken) process.stdout.write(`\n  Admin token (shown once, only its hash is stored): ${adminToken}\n\n`);
  };

  const bundled = await registerBundledCircuits({ db: database.db, clock, storage: runtime.storage, log });
  if (bundled.length > 0) log.info({ circuits: bundled }, 'registered the bundled circuits');
  const verifier = createGroth16VerifierPool(config.verifierThreads ? { size: config.verifierThreads } : {});
  const changeFeed = startChangeFeed({ connectionString: database.url, log });
  const app = await buildApp({ config, log, clock, pool: database.pool, db: database.db, secretBox, storage: runtime.storage, verifier, platformKeys: runtime.platformKeys, changeFeed });
  app.addHook('onClose', async () => Promise.all([verifier.close(), changeFeed.close()]));

  // Resolved once the embedded workers run; a stop waits for their start-up before closing the database.
  let workers: Promise<Workers | undefined> = Promise.resolve(undefined);
  let globalManager: GlobalManager | undefined;
  const shutdown = onShutdownSignal(log, 'the API', async () => {
    // Stop accepting, drain requests in flight, the embedded workers and the global manager's task, then close the database.
    await Promise.all([app.close(), workers.then((started) => started?.stop(), () => undefined), globalManager?.stop()]);
    await runtime.close();
  });

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    log.fatal({ err: error }, 'could not listen');
    printTokenOnFailure();
    await runtime.close();
    process.exit(1);
  }
  let workerNames: string[] | undefined;
  if (config.embeddedWorkers) {
    workers = startWorkers({ config, log, clock, secretBox, databaseUrl: database.url, storage: runtime.storage, registry: app.metrics.registry });
    try {
      workerNames = (await workers)?.names;
    } catch (error) {
      if (shutdown.stopping()) return; // the stop in progress exits
      log.fatal({ err: error }, 'could not start the embedded workers');
      printTokenOnFailure();
      await app.close();
      await runtime.close();
      process.exit(1);
    }
  }
  // Not once a stop has begun (a signal during the workers' start-up): it would not wait for this task.
  if (config.globalManager.embedded && !shutdown.stopping()) globalManager = runGlobalManager(runtime, app.metrics.registry);
  log.info(
    { global_manager: config.globalManager.embedded, embedded_database: database.embedded !== undefined, workers: workerNames ?? 'none (VERIDITY_EMBEDDED_WORKERS=false)', docs: `/docs`, openapi: '/openapi.json' },
    'Veridity is serving',
  );
  // For people; after the JSON line above, which stays as it was for log pipelines. Always
  // printed, not only on a TTY: the admin token in it is shown once, and `docker logs` or a
  // log file is where an operator then finds it.
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  process.stdout.write(formatBanner({ config, database, port, workers: workerNames, adminToken }));
}
