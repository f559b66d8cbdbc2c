import { parseArgs } from 'node:util';
import type { Config } from '#src/config.ts';
import { openRuntime, type Runtime } from '#src/runtime.ts';
import { createLogger } from '#platform/logger.ts';
import { CLI_ACTOR } from '#modules/audit/record-audit.ts';
import { createAdminToken } from '#modules/admin/create-admin-token.ts';
import { createClient } from '#modules/clients/create-client.ts';
import { disableClient } from '#modules/clients/disable-client.ts';
import { listClients } from '#modules/clients/list-clients.ts';
import { ApiClientCreateSchema } from '#modules/clients/schema.ts';
import { checkConfiguredWebhookUrl } from '#modules/webhooks/check-configured-webhook-url.ts';
import { CliError } from './cli-error.ts';

export const ADMIN_HELP = `Usage: veridity admin <command> [options]

Operator commands, run directly against the database (no admin token needed: whoever can run
this can read the data dir). Results are printed as JSON on stdout.

Commands:
  create-client --name <name> --scopes <a,b> [--webhook-url <url>] [--rate-limit <n>]
                      Create a partner; prints its API key (and webhook secret) once.
  list-clients        List partners (never their keys).
  disable-client <id> Disable a partner; its key answers 401 from then on.
  create-token [--label <label>]
                      Issue a new admin bearer token (printed once, stored hashed).

Scopes: age_over_18, age_over_21, citizenship, education, income_gte`;

const COMMAND_HELP: Record<string, string> = {
  'create-client': 'Usage: veridity admin create-client --name <name> --scopes <a,b> [--webhook-url <url>] [--rate-limit <per minute>]',
  'list-clients': 'Usage: veridity admin list-clients',
  'disable-client': 'Usage: veridity admin disable-client <client id>',
  'create-token': 'Usage: veridity admin create-token [--label <label>]',
};

async function withRuntime<T>(config: Config, work: (runtime: Runtime) => Promise<T>): Promise<T> {
  // Admin commands log to stderr so stdout stays machine-readable JSON.
  const runtime = await openRuntime(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr));
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
  if (!usage) throw new CliError(`unknown admin command '${command}'\n\n${ADMIN_HELP}`);
  const { values, positionals } = parseArgs({
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
  });
  if (values.help) {
    console.log(usage);
    return;
  }

  switch (command) {
    case 'create-client': {
      const input = ApiClientCreateSchema.safeParse({
        name: values.name,
        scopes: values.scopes?.split(',').map((s) => s.trim()).filter(Boolean),
        webhook_url: values['webhook-url'],
        rate_limit_per_minute: values['rate-limit'] === undefined ? undefined : Number(values['rate-limit']),
      });
      if (!input.success) {
        throw new CliError(`${input.error.issues.map((i) => `--${String(i.path[0] ?? '').replace(/_/g, '-')}: ${i.message}`).join('\n')}\n\n${usage}`);
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
      if (!id) throw new CliError(usage);
      const result = await withRuntime(config, (rt) => disableClient({ db: rt.database.db, clock: rt.clock }, id, CLI_ACTOR));
      if (!result.ok) throw new CliError(`no client ${id}`);
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
