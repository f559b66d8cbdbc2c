import type { Config } from '#src/config.ts';
import { openExistingRuntime, type Runtime } from '#src/runtime.ts';
import { createLogger } from '#platform/logger.ts';
import { CLI_ACTOR } from '#modules/audit/record-audit.ts';
import { createAdminToken } from '#modules/admin/create-admin-token.ts';
import { createClient } from '#modules/clients/create-client.ts';
import { disableClient } from '#modules/clients/disable-client.ts';
import { listClients } from '#modules/clients/list-clients.ts';
import { ApiClientCreateSchema, SCOPES } from '#modules/clients/schema.ts';
import { checkConfiguredWebhookUrl } from '#modules/webhooks/check-configured-webhook-url.ts';
import { CliError, usageError } from './cli-error.ts';
import { noDataError } from './no-data-error.ts';
import { parseOptions } from './parse-options.ts';

export const ADMIN_HELP = `Usage: veridity admin <command> [options]

Operator commands, run directly against the database (no admin token needed: whoever can run
this can read the data dir). Results are printed as JSON on stdout.

On the embedded database they use VERIDITY_DATA_DIR (default ./data) as the server does: while the
server runs they connect to its PostgreSQL; while it is stopped they start it for the command.
They never create a database: a data dir without one is an error.

Commands:
  create-client --name <name> --scopes <a,b> [--webhook-url <url>] [--rate-limit <n>]
                      Create a partner; prints its API key (and webhook secret) once.
  list-clients        List partners (never their keys).
  disable-client <id> Disable a partner; its key answers 401 from then on.
  create-token [--label <label>]
                      Issue a new admin bearer token (printed once, stored hashed).

Scopes: ${SCOPES.join(', ')}
  (one per zero-knowledge claim type; tee_attestation: TEE attestation tasks, /api/v1/tasks;
  evidence: signed evidence and its certificates, /api/v1/proofs and /api/v1/certificates;
  agents: the agent registry, /api/v1/agents)`;

const COMMAND_HELP: Record<string, string> = {
  'create-client': 'Usage: veridity admin create-client --name <name> --scopes <a,b> [--webhook-url <url>] [--rate-limit <per minute>]',
  'list-clients': 'Usage: veridity admin list-clients',
  'disable-client': 'Usage: veridity admin disable-client <client id>',
  'create-token': 'Usage: veridity admin create-token [--label <label>]',
};

/** The option behind each field of the create-client body, to name it in an error. */
const FLAG_OF_FIELD: Record<string, string> = { name: '--name', scopes: '--scopes', webhook_url: '--webhook-url', rate_limit_per_minute: '--rate-limit' };

async function withRuntime<T>(config: Config, work: (runtime: Runtime) => Promise<T>): Promise<T> {
  // Admin commands log to stderr so stdout stays machine-readable JSON.
  const opened = await openExistingRuntime(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr));
  if (!opened.ok) throw noDataError(opened.dataDir);
  const { runtime } = opened;
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export async function admin(config: Config, argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log(ADMIN_HELP);
    return;
  }
  const usage = COMMAND_HELP[command];
  if (!usage) throw usageError(`unknown admin command '${command}'`, ADMIN_HELP);
  const { values, positionals } = parseOptions({
    args: rest,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      name: { type: 'string' },
      scopes: { type: 'string' },
      'webhook-url': { type: 'string' },
      'rate-limit': { type: 'string' },
      label: { type: 'string' },
    },
  }, usage);
  if (values.help) {
    console.log(usage);
    return;
  }

  switch (command) {
    case 'create-client': {
      const rateLimit = values['rate-limit'];
      if (rateLimit !== undefined && !/^\d+$/.test(rateLimit)) throw usageError(`--rate-limit: expected a whole number of requests per minute, got '${rateLimit}'`, usage);
      const input = ApiClientCreateSchema.safeParse({
        name: values.name,
        scopes: values.scopes?.split(',').map((s) => s.trim()).filter(Boolean),
        webhook_url: values['webhook-url'],
        rate_limit_per_minute: rateLimit === undefined ? undefined : Number(rateLimit),
      });
      if (!input.success) {
        throw usageError(input.error.issues.map((i) => `${FLAG_OF_FIELD[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`).join('; '), usage);
      }
      if (input.data.webhook_url) {
        const check = await checkConfiguredWebhookUrl(input.data.webhook_url, { allowPrivateNetworks: config.webhookAllowPrivateNetworks });
        if (!check.ok) throw new CliError(`--webhook-url: ${check.message} (set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true for receivers on private networks)`);
      }
      print(await withRuntime(config, (rt) => createClient({ db: rt.database.db, clock: rt.clock, secretBox: rt.secretBox }, input.data, CLI_ACTOR)));
      return;
    }
    case 'list-clients':
      print(await withRuntime(config, (rt) => listClients({ db: rt.database.db })));
      return;
    case 'disable-client': {
      const id = positionals[0];
      if (!id) throw usageError('name the client to disable: its id (cli_...), as list-clients shows it', usage);
      const result = await withRuntime(config, (rt) => disableClient({ db: rt.database.db, clock: rt.clock }, id, CLI_ACTOR));
      if (!result.ok) throw new CliError(`no client ${id} (list them with 'veridity admin list-clients')`, 1);
      print(result.client);
      return;
    }
    case 'create-token': {
      const created = await withRuntime(config, (rt) => createAdminToken({ db: rt.database.db, clock: rt.clock }, values.label ?? 'cli', CLI_ACTOR));
      print({ id: created.id, admin_token: created.token });
      return;
    }
  }
}
