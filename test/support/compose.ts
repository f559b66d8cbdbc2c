/**
 * Reading deploy/compose.yaml as Docker Compose does, for the tests that check it without Docker:
 * YAML with merge keys (`<<: *anchor`), and `${...}` interpolation from an env file.
 */
import YAML from 'yaml';

export type Healthcheck = { test?: string[] | string; disable?: boolean };
export type Service = {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: Array<string | { target: number; published?: string | number; host_ip?: string }>;
  volumes?: Array<string | { type: string; source?: string; target: string }>;
  healthcheck?: Healthcheck;
  restart?: string;
  depends_on?: Record<string, { condition: string }> | string[];
  network_mode?: string;
  read_only?: boolean;
  tmpfs?: string[];
};
export type ComposeFile = { services: Record<string, Service>; volumes?: Record<string, unknown> };

export function parseCompose(text: string): ComposeFile {
  return YAML.parse(text, { merge: true }) as ComposeFile;
}

/** `KEY=value` lines; comments and blank lines skipped. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) env[match[1]!] = match[2]!.trim();
  }
  return env;
}

export type Reference = { name: string; required: boolean };

const EXPRESSION = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** The variables a compose file interpolates, and whether each one must be set (`${NAME:?message}`). */
export function interpolatedVariables(text: string): Reference[] {
  const found = new Map<string, boolean>();
  for (const match of text.matchAll(EXPRESSION)) {
    const name = match[1] ?? match[4];
    if (!name) continue;
    found.set(name, (found.get(name) ?? false) || (match[2]?.endsWith('?') ?? false));
  }
  return [...found].map(([name, required]) => ({ name, required }));
}

/** Compose's interpolation of one value: `$$`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, `${NAME?error}`. */
export function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(EXPRESSION, (whole, braced: string | undefined, operator: string | undefined, argument: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare)!;
    const set = env[name];
    const empty = set === undefined || (operator?.startsWith(':') && set === '');
    if (operator?.endsWith('?') && empty) throw new Error(`${name}: ${argument || 'required'}`);
    if (operator?.endsWith('-') && empty) return argument ?? '';
    return set ?? '';
  });
}

/** Every string of a parsed value, interpolated (compose interpolates after parsing, in values only). */
export function interpolateAll<T>(value: T, env: Record<string, string>): T {
  if (typeof value === 'string') return interpolate(value, env) as T;
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, env)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateAll(item, env)])) as T;
  return value;
}

/** A short-syntax port (`[ip:]published:target[/protocol]`) or a long-syntax one: the host address it binds. */
export function hostIpOf(port: string | { host_ip?: string }): string {
  if (typeof port !== 'string') return port.host_ip ?? '0.0.0.0';
  const parts = port.replace(/\/(tcp|udp)$/, '').split(':');
  return parts.length === 3 ? parts[0]! : '0.0.0.0';
}
