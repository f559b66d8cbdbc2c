import path from 'node:path';
import { z } from 'zod';

const booleanFromString = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

/** AES-256 keys: comma-separated, each 32 bytes as base64 or 64 hex chars; the first one encrypts. */
const encryptionKeys = z.string().transform((raw, ctx) => {
  const keys: Buffer[] = [];
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const key = /^[0-9a-fA-F]{64}$/.test(part) ? Buffer.from(part, 'hex') : Buffer.from(part, 'base64');
    if (key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'each key must be 32 bytes (64 hex chars or base64)' });
      return z.NEVER;
    }
    keys.push(key);
  }
  if (keys.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'must hold at least one key' });
    return z.NEVER;
  }
  return keys;
});

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  VERIDITY_DATA_DIR: z.string().min(1).default('./data'),
  VERIDITY_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  VERIDITY_ADMIN_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  VERIDITY_ENCRYPTION_KEY: encryptionKeys.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(256 * 1024),
  TRUST_PROXY: booleanFromString.default(false),
});

export type Config = {
  port: number;
  host: string;
  /** Unset means: run the embedded PostgreSQL in `dataDir/postgres`. */
  databaseUrl: string | undefined;
  databasePoolMax: number;
  dataDir: string;
  embeddedPostgresPort: number;
  adminToken: string | undefined;
  /** Unset on the embedded default: a key is generated into the data dir at start. */
  encryptionKeys: Buffer[] | undefined;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  bodyLimitBytes: number;
  trustProxy: boolean;
};

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** Parses the environment once, naming every bad variable (not only the first). */
export function loadConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    };
  }
  const e = parsed.data;
  if (e.DATABASE_URL && !e.VERIDITY_ENCRYPTION_KEY) {
    return {
      ok: false,
      errors: ['VERIDITY_ENCRYPTION_KEY: required when DATABASE_URL is set (it is generated only for the embedded database)'],
    };
  }
  return {
    ok: true,
    config: {
      port: e.PORT,
      host: e.HOST,
      databaseUrl: e.DATABASE_URL,
      databasePoolMax: e.DATABASE_POOL_MAX,
      dataDir: path.resolve(e.VERIDITY_DATA_DIR),
      embeddedPostgresPort: e.VERIDITY_EMBEDDED_PG_PORT,
      adminToken: e.VERIDITY_ADMIN_TOKEN,
      encryptionKeys: e.VERIDITY_ENCRYPTION_KEY,
      logLevel: e.LOG_LEVEL,
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      trustProxy: e.TRUST_PROXY,
    },
  };
}
