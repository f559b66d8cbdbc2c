import { loadConfig } from '#src/config.ts';
import { admin, ADMIN_HELP } from './cli/admin.ts';
import { CliError } from './cli/cli-error.ts';
import { migrate } from './cli/migrate.ts';
import { serve } from './cli/serve.ts';
import { worker, workerHelp } from './cli/worker.ts';
import { verifyLedgerCommand, VERIFY_LEDGER_HELP } from './cli/verify-ledger.ts';
import { verifyReceiptCommand, VERIFY_RECEIPT_HELP } from './cli/verify-receipt.ts';

const HELP = `Usage: veridity <command> [options]

Commands:
  serve      Run the HTTP API (embedded PostgreSQL when DATABASE_URL is unset), with the workers
  worker     Run queue consumers (webhook delivery, ...): worker [kinds...]
  migrate    Apply pending database migrations
  admin      Operator commands: create-client, list-clients, disable-client, create-token
  verify-receipt  Check a ledger receipt offline: verify-receipt <file> --key <verifier key>
  verify-ledger   Recompute the ledger from the database and compare it with every checkpoint
  issuer     Development issuer tools: keygen, sign-credential (keys stay on this machine)
  prove      Prove a claim from a credential and a proof request, as a holder's device does
  demo       Seed a running server with a demo issuer, partner and credential; print a walkthrough

Run 'veridity <command> --help' for a command's options. Configuration comes from the
environment; see the README's configuration table.`;

const COMMAND_HELP: Record<string, string> = {
  serve: `Usage: veridity serve

Runs the HTTP API on HOST:PORT (default 127.0.0.1:3000). Without DATABASE_URL it starts an
embedded PostgreSQL in VERIDITY_DATA_DIR/postgres. Migrations are applied at start.
On first start without VERIDITY_ADMIN_TOKEN, an admin token is generated and printed once.
Also runs every worker kind (see 'veridity worker --help') unless VERIDITY_EMBEDDED_WORKERS=false.`,
  migrate: `Usage: veridity migrate

Applies pending forward-only migrations (under an advisory lock; safe to run concurrently).`,
  admin: ADMIN_HELP,
  worker: workerHelp(),
  'verify-receipt': VERIFY_RECEIPT_HELP,
  'verify-ledger': VERIFY_LEDGER_HELP,
};

/**
 * Client-side commands (an issuer's, a holder's, a demo against a running server): no
 * configuration, no database. Loaded on use: they pull in circomlibjs and snarkjs.
 */
const CLIENT_COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  issuer: async (argv) => (await import('./cli/issuer.ts')).issuer(argv),
  prove: async (argv) => (await import('./cli/prove.ts')).prove(argv),
  demo: async (argv) => (await import('./cli/demo.ts')).demo(argv),
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return;
  }
  const clientCommand = CLIENT_COMMANDS[command];
  if (clientCommand) return clientCommand(rest); // each prints its own --help
  const help = COMMAND_HELP[command];
  if (!help) throw new CliError(`unknown command '${command}'\n\n${HELP}`);
  if (command !== 'admin' && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(help);
    return;
  }
  if (command === 'admin' && (rest.length === 0 || rest[0] === '--help' || rest[0] === '-h')) {
    console.log(help);
    return;
  }

  // Offline: no configuration, no database, so a bad environment cannot get in the way.
  if (command === 'verify-receipt') return verifyReceiptCommand(rest);
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    throw new CliError(`invalid configuration:\n${loaded.errors.map((e) => `  - ${e}`).join('\n')}`, 1);
  }
  switch (command) {
    case 'serve':
      return serve(loaded.config);
    case 'migrate':
      return migrate(loaded.config);
    case 'admin':
      return admin(loaded.config, rest);
    case 'worker':
      return worker(loaded.config, rest);
    case 'verify-ledger':
      return verifyLedgerCommand(loaded.config, rest);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof CliError) {
    console.error(`veridity: ${error.message}`);
    process.exit(error.exitCode);
  }
  console.error('veridity: unexpected failure:', error);
  process.exit(1);
});
