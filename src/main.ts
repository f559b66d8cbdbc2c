import { loadConfig, type Config } from '#src/config.ts';
import { CliError } from './cli/cli-error.ts';
import { reportFailure } from './cli/report-failure.ts';
import { loadDrizzleAsCommonJs } from './platform/process/load-drizzle-as-commonjs.ts';
import { shutdownTracing } from './platform/telemetry/tracing.ts';

loadDrizzleAsCommonJs();

/**
 * One entry per command. Modules are imported only when their command runs, so a command
 * starts without loading the whole server (circomlibjs, snarkjs, every module's routes).
 */
type Command = {
  summary: string;
  /** Client-side and offline commands parse their own arguments and print their own --help. */
  ownHelp?: boolean;
  /** A server role: traced as `veridity-<command>` when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  traced?: boolean;
  help?: () => Promise<string>;
  run(argv: string[]): Promise<void>;
};

function config(): Config {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) throw new CliError(`invalid configuration:\n${loaded.errors.map((e) => `  - ${e}`).join('\n')}`, 1);
  return loaded.config;
}

const SERVE_HELP = `Usage: veridity serve

Runs the HTTP API on HOST:PORT (default 127.0.0.1:3000). Without DATABASE_URL it starts an
embedded PostgreSQL in VERIDITY_DATA_DIR/postgres, on the loopback port recorded in the data dir
(a free one on first start; VERIDITY_EMBEDDED_PG_PORT overrides it). Migrations are applied at start.
Once listening it prints a banner (URLs, data dir, database); on first start without
VERIDITY_ADMIN_TOKEN the banner holds the admin token, generated and shown once.
Also runs every worker kind (see 'veridity worker --help') unless VERIDITY_EMBEDDED_WORKERS=false,
and the global manager (see 'veridity global-manager --help') when GLOBAL_MANAGER_EMBEDDED is true
(its default without DATABASE_URL); its status is then GET /api/admin/global-manager.`;

const MIGRATE_HELP = `Usage: veridity migrate

Applies pending forward-only migrations (under an advisory lock; safe to run concurrently).
With INGEST_DATABASE_URL set, then gives the ingest gateway's role veridity_ingest that URL's
password (sent as a SCRAM verifier, never in clear); a URL naming another role is refused.`;

const COMMANDS: Record<string, Command> = {
  serve: {
    traced: true,
    summary: 'Run the HTTP API (embedded PostgreSQL when DATABASE_URL is unset), with the workers',
    help: async () => SERVE_HELP,
    run: async () => (await import('./cli/serve.ts')).serve(config()),
  },
  worker: {
    traced: true,
    summary: 'Run queue consumers (webhook delivery, ledger, attestations): worker [kinds...]',
    help: async () => (await import('./cli/worker.ts')).workerHelp(),
    run: async (argv) => (await import('./cli/worker.ts')).worker(config(), argv),
  },
  'global-manager': {
    traced: true,
    summary: 'Run the global manager alone (gateway vault, cleanups; one leader per database, others stand by)',
    help: async () => (await import('./cli/global-manager.ts')).GLOBAL_MANAGER_HELP,
    run: async () => (await import('./cli/global-manager.ts')).globalManager(config()),
  },
  ingest: {
    traced: true,
    summary: 'Run the ingest gateway alone (POST /ingest/v1/proofs) as the least-privileged role INGEST_DATABASE_URL',
    help: async () => (await import('./cli/ingest.ts')).INGEST_HELP,
    run: async () => (await import('./cli/ingest.ts')).ingest(config()),
  },
  migrate: {
    summary: 'Apply pending database migrations',
    help: async () => MIGRATE_HELP,
    run: async () => (await import('./cli/migrate.ts')).migrate(config()),
  },
  backup: {
    summary: 'Back up the database (pg_dump) and the objects, with a manifest: backup [--to <dir> | --to s3]',
    help: async () => (await import('./cli/backup.ts')).BACKUP_HELP,
    run: async (argv) => (await import('./cli/backup.ts')).backupCommand(config(), argv),
  },
  restore: {
    summary: 'Restore a backup into an empty database and object store: restore <backup folder | s3:name>',
    help: async () => (await import('./cli/restore.ts')).RESTORE_HELP,
    run: async (argv) => (await import('./cli/restore.ts')).restoreCommand(config(), argv),
  },
  admin: {
    summary: 'Operator commands: create-client, list-clients, disable-client, create-token',
    ownHelp: true,
    run: async (argv) => {
      const { admin, ADMIN_HELP } = await import('./cli/admin.ts');
      if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') return console.log(ADMIN_HELP);
      return admin(config(), argv);
    },
  },
  'verify-receipt': {
    summary: 'Check a ledger receipt offline: verify-receipt <file> --key <verifier key>',
    help: async () => (await import('./cli/verify-receipt.ts')).VERIFY_RECEIPT_HELP,
    // Offline: no configuration, no database, so a bad environment cannot get in the way.
    run: async (argv) => (await import('./cli/verify-receipt.ts')).verifyReceiptCommand(argv),
  },
  'verify-certificate': {
    summary: 'Check an evidence certificate (PDF or JSON) offline: signatures and ledger receipt',
    help: async () => (await import('./cli/verify-certificate.ts')).VERIFY_CERTIFICATE_HELP,
    // Offline like verify-receipt: no configuration, no database.
    run: async (argv) => (await import('./cli/verify-certificate.ts')).verifyCertificateCommand(argv),
  },
  'verify-ledger': {
    summary: 'Recompute the ledger from the database and compare it with every checkpoint',
    help: async () => (await import('./cli/verify-ledger.ts')).VERIFY_LEDGER_HELP,
    run: async (argv) => (await import('./cli/verify-ledger.ts')).verifyLedgerCommand(config(), argv),
  },
  'rotate-encryption-key': {
    summary: 'Re-encrypt every sealed secret and key with the first key of VERIDITY_ENCRYPTION_KEY',
    help: async () => (await import('./cli/rotate-encryption-key.ts')).ROTATE_ENCRYPTION_KEY_HELP,
    run: async (argv) => (await import('./cli/rotate-encryption-key.ts')).rotateEncryptionKeyCommand(config(), argv),
  },
  registry: {
    summary: 'Agent registry: keygen, sign, pay, check-car (offline); recompute-reputation (database)',
    ownHelp: true,
    // keygen, sign, pay and check-car are offline: the configuration is read only by recompute-reputation.
    run: async (argv) => (await import('./cli/registry.ts')).registry(argv, config),
  },
  issuer: {
    summary: 'Development issuer tools: keygen, sign-credential (keys stay on this machine)',
    ownHelp: true,
    run: async (argv) => (await import('./cli/issuer.ts')).issuer(argv),
  },
  prove: {
    summary: "Prove a claim from a credential and a proof request, as a holder's device does",
    ownHelp: true,
    run: async (argv) => (await import('./cli/prove.ts')).prove(argv),
  },
  agent: {
    summary: 'An evidence agent: enroll (key pair here, certificate from the platform), submit signed files',
    ownHelp: true,
    // Client side: no configuration, no database.
    run: async (argv) => (await import('./cli/agent.ts')).agent(argv),
  },
  demo: {
    summary: 'Seed a running server with a demo issuer, partner and credential; print a walkthrough',
    ownHelp: true,
    run: async (argv) => (await import('./cli/demo.ts')).demo(argv),
  },
};

const COMMAND_COLUMN = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 1;

const HELP = `Usage: veridity <command> [options]

Commands:
${Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(COMMAND_COLUMN)} ${command.summary}`).join('\n')}

Run 'veridity <command> --help' for a command's options. Configuration comes from the
environment; see the README's configuration table.`;

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return;
  }
  const command = COMMANDS[name];
  if (!command) throw new CliError(`unknown command '${name}' (see 'veridity --help' for the commands)`);
  if (!command.ownHelp && command.help && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(await command.help());
    return;
  }
  if (command.traced && process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    // Loaded only now, and before the command's modules: the instrumentations patch them as they load.
    const { startTelemetry } = await import('./platform/telemetry/start-telemetry.ts');
    const started = startTelemetry(`veridity-${name}`);
    if (!started.ok) throw new CliError(`invalid configuration:\n  - ${started.message}`, 1);
  }
  await command.run(rest);
}

main(process.argv.slice(2)).catch(async (error: unknown) => {
  const report = reportFailure(error, /^(debug|trace)$/.test(process.env.LOG_LEVEL ?? ''));
  console.error(report.message);
  await shutdownTracing();
  process.exit(report.exitCode);
});
