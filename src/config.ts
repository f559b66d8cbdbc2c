import path from 'node:path';
import { z } from 'zod';
import { TCB_STATUSES, type TcbStatus } from '#modules/attestations/verification/types.ts';
import { ANCHOR_ADAPTERS } from '#modules/anchoring/anchor-adapter.ts';
import { resolveNetwork } from '#modules/x402/networks.ts';
import type { X402Price } from '#modules/x402/payment-gate.ts';
import { DEFAULT_REPUTATION_SETTINGS, type ReputationSettings } from '#modules/agents/reputation-model.ts';

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

/** An http(s) origin with an optional path prefix: no credentials, query or fragment; a trailing slash is dropped. */
const publicUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(200)
  .refine((value) => {
    const url = URL.parse(value);
    return url === null || (!url.username && !url.password && !url.search && !url.hash);
  }, 'must not contain credentials, a query or a fragment')
  .transform((value) => value.replace(/\/+$/, ''));

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  INGEST_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  VERIDITY_DATA_DIR: z.string().min(1).default('./data'),
  VERIDITY_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  VERIDITY_ADMIN_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  VERIDITY_ENCRYPTION_KEY: encryptionKeys.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(256 * 1024),
  TRUST_PROXY: booleanFromString.default(false),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(10_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(72_000),
  HTTP_IDLE_SOCKET_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(120_000),
  HTTP_MAX_REQUESTS_PER_SOCKET: z.coerce.number().int().min(0).max(1_000_000).default(1000),
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  HTTP_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(0).max(1_000_000).optional(),
  HTTP_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(1_000_000).default(512),
  VERIFIER_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  RATE_LIMIT_PUBLIC_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(60),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ENDPOINT: z.url().optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: booleanFromString.default(false),
  BACKUP_KEEP_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  BACKUP_S3_BUCKET: z.string().min(3).max(63).optional(),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: booleanFromString.default(false),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  VERIDITY_EMBEDDED_WORKERS: booleanFromString.default(true),
  WORKER_ONCE: booleanFromString.default(false),
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  LEDGER_CHECKPOINT_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  PCCS_URL: z.url({ protocol: /^https?$/ }).optional(),
  TEE_ACCEPTED_TCB_STATUSES: z
    .string()
    .transform((raw) => [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))])
    .pipe(z.array(z.enum(TCB_STATUSES.filter((status) => status !== 'Revoked') as [TcbStatus, ...TcbStatus[]])).min(1))
    .default(['UpToDate', 'SWHardeningNeeded']),
  TEE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  EVIDENCE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  EVIDENCE_RETEST_LIMIT: z.coerce.number().int().min(0).max(100).default(5),
  EVIDENCE_RETRY_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(100),
  EVIDENCE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(365),
  EVIDENCE_RETENTION_ANONYMISE: booleanFromString.default(true),
  PUBLIC_URL: publicUrl.optional(),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).max(2000).optional(),
  SMTP_FROM: z.string().max(320).regex(/^[^\r\n]+$/, 'must be one line').optional(),
  SMTP_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(15_000),
  NOTIFICATION_ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(0).max(25 * 1024 * 1024).default(5 * 1024 * 1024),
  NOTIFICATION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  IPFS_PIN_URL: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of a Kubo RPC API' }).optional(),
  ANCHOR_ADAPTER: z.enum(ANCHOR_ADAPTERS).default('noop'),
  ANCHOR_RPC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) JSON-RPC URL' }).optional(),
  // The message never repeats the value: it is a private key.
  ANCHOR_PRIVATE_KEY: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by 64 hex characters').optional(),
  ANCHOR_TO_ADDRESS: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be an address: 0x followed by 40 hex characters').optional(),
  ANCHOR_CONFIRMATIONS: z.coerce.number().int().min(1).max(1000).default(12),
  ANCHOR_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(31 * 86_400).default(600),
  X402_FACILITATOR_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000).optional(),
  X402_PAY_TO: z.string().min(1).max(100).optional(),
  X402_NETWORK: z.string().refine((name) => resolveNetwork(name) !== undefined, 'must be an x402 network: a v1 name (base, solana-devnet, ...) or CAIP-2 (eip155:8453, solana:<genesis hash>)').optional(),
  X402_ASSET: z.string().min(1).max(100).optional(),
  X402_PRICE: z.string().regex(/^[1-9][0-9]{0,30}$/, 'must be a positive integer of the asset\'s atomic units').optional(),
  X402_ASSET_NAME: z.string().min(1).max(100).optional(),
  X402_ASSET_VERSION: z.string().min(1).max(20).optional(),
  X402_FEE_PAYER: z.string().min(32).max(44).optional(),
  X402_MAX_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  BILLING_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code (3 capital letters)').default('EUR'),
  GLOBAL_MANAGER_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  GLOBAL_MANAGER_STANDBY_POLL_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
  GLOBAL_MANAGER_EMBEDDED: booleanFromString.optional(),
  INVOICE_FINALIZE_GRACE_MINUTES: z.coerce.number().int().min(0).max(7 * 24 * 60).default(15),
  GLOBAL_MANAGER_ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  GLOBAL_MANAGER_ADMIN_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  GLOBAL_MANAGER_RUNS_KEEP_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  OIDC_ISSUER: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(500)
    .refine((value) => {
      const url = URL.parse(value);
      return url === null || url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname);
    }, 'must be https (http only on a loopback host, for development)')
    .optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(255).optional(),
  // The message never repeats the value: it is a secret.
  OIDC_CLIENT_SECRET: z.string().min(1, 'must not be empty').max(1000).optional(),
  OIDC_ROLE_CLAIM: z.string().min(1).max(200).regex(/^[^\s]+$/, 'must be a claim name (a dotted path into nested claims, such as realm_access.roles)').default('veridity_role'),
  OIDC_SCOPES: z.string().max(500).regex(/^openid( [\x21\x23-\x5b\x5d-\x7e]+)*$/, 'must be space-separated scopes starting with openid').default('openid email profile'),
  OIDC_REDIRECT_URL: publicUrl.optional(),
  CONSOLE_SIWE_CHAIN_ID: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(1),
  REPUTATION_HALF_LIFE_DAYS: z.coerce.number().min(1).max(3650).default(DEFAULT_REPUTATION_SETTINGS.halfLifeDays),
  REPUTATION_PAYER_MAX_SETTLEMENTS: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_REPUTATION_SETTINGS.payerMaxSettlements),
  REPUTATION_PAYER_WINDOW_HOURS: z.coerce.number().int().min(1).max(24 * 366).default(DEFAULT_REPUTATION_SETTINGS.payerWindowHours),
});

export type Config = {
  port: number;
  host: string;
  /** Unset means: run the embedded PostgreSQL in `dataDir/postgres`. */
  databaseUrl: string | undefined;
  /** `veridity ingest` only (required there): the least-privileged role veridity_ingest (migration 0016). May hold a password: never log it. */
  ingestDatabaseUrl: string | undefined;
  databasePoolMax: number;
  dataDir: string;
  /** Unset: the port recorded in the data dir while free, else any free loopback port (recorded). */
  embeddedPostgresPort: number | undefined;
  adminToken: string | undefined;
  /** Unset on the embedded default: a key is generated into the data dir at start. */
  encryptionKeys: Buffer[] | undefined;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  bodyLimitBytes: number;
  trustProxy: boolean;
  /** Bounds on every connection and request, and load shedding beyond `maxInFlight`. */
  http: HttpLimits;
  /** Shared rate-limit counters across API replicas; unset: counters in each process's memory. */
  redisUrl: string | undefined;
  /** Per client IP and route on unauthenticated endpoints (/oauth/token, JWKS). */
  publicRateLimitPerMinute: number;
  /** Groth16 verifier worker threads; unset = one per core. */
  verifierThreads: number | undefined;
  /** Unset: objects live on the file system under `dataDir/objects`. */
  s3: S3Bucket | undefined;
  /** `veridity backup`: backups older than `keepDays` are pruned; `s3` is where `--to s3` writes (BACKUP_S3_BUCKET with the S3_* connection). */
  backup: { keepDays: number; s3: S3Bucket | undefined };
  /** Let webhooks reach loopback and private networks (cloud metadata stays refused). */
  webhookAllowPrivateNetworks: boolean;
  /** Webhook deliveries in flight at once per worker process. */
  webhookConcurrency: number;
  /** `serve` also runs every worker kind. */
  embeddedWorkers: boolean;
  /** `veridity worker`: one pass over what is due, then exit. */
  workerOnce: boolean;
  /** `veridity worker` serves /metrics on HOST:this port when set. */
  workerMetricsPort: number | undefined;
  /** Least time between two signed ledger checkpoints (one is signed only when the log grew). */
  ledgerCheckpointSeconds: number;
  /** PCCS to fetch missing or expired TEE collateral from (never required). */
  pccsUrl: string | undefined;
  /** TCB statuses a verified quote may have and still be valid (Revoked never is). */
  teeAcceptedTcbStatuses: TcbStatus[];
  /** Attestation tasks verified at once per worker process. */
  teeWorkerConcurrency: number;
  /** Evidence submissions verified at once per worker process. */
  evidenceWorkerConcurrency: number;
  /** The `retry` worker: most re-tests of one submission, most submissions per pass. */
  evidenceRetestLimit: number;
  evidenceRetryBatchSize: number;
  /** Past this many days the maintenance worker deletes a decided submission's DER and detached content. */
  evidenceRetentionDays: number;
  /** ... and removes the signer's names from what the platform keeps of the submission (its error message). */
  evidenceRetentionAnonymise: boolean;
  /** Where people reach this platform (no trailing slash): certificates' QR codes and verify links point here. */
  publicUrl: string;
  /** E-mail notifications: unset SMTP_URL turns them off (nothing is queued, the worker idles). `url` may hold credentials: never log it. */
  smtp: { url: string; from: string; timeoutMs: number } | undefined;
  /** A certificate PDF larger than this is linked in the e-mail, not attached. */
  notificationAttachmentMaxBytes: number;
  /** E-mails sent at once per worker process. */
  notificationConcurrency: number;
  /** A Kubo RPC API that pins every agent's work history (CAR via /api/v0/dag/import); unset: no pinning. */
  ipfsPinUrl: string | undefined;
  /** ANCHOR_*: which chain the anchor worker anchors ledger checkpoints on (noop: none). */
  anchor: AnchorConfig;
  /** x402: the facilitator settling payments (unset: recorded as verified only), and the price of the public agent query (unset: free). */
  x402: { facilitatorUrl: string | undefined; price: X402Price | undefined };
  /** The agent reputation model's half-life and per-payer settlement limit (docs/reputation.md). */
  reputation: ReputationSettings;
  /** ISO 4217: plan prices are integer minor units of it. */
  billingCurrency: string;
  /** GLOBAL_MANAGER_*: the global manager's loop, its admin port (`veridity global-manager`) and whether `serve` runs it. */
  globalManager: GlobalManagerConfig;
  /** Web console sign-in: OpenID Connect (unset OIDC_ISSUER: none) and the chain id of Sign-In with Ethereum messages. */
  console: ConsoleConfig;
};

export type ConsoleConfig = { oidc: OidcConfig | undefined; siweChainId: number };

/** OIDC_*: the operator's identity provider (authorization code + PKCE). `clientSecret` is a secret: never log it. */
export type OidcConfig = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** A claim name, or a dotted path into nested claims (`realm_access.roles`); `operator` among its values makes an operator. */
  roleClaim: string;
  scopes: string;
  /** Where the provider sends the browser back: OIDC_REDIRECT_URL, else PUBLIC_URL + /api/console/oidc/callback. */
  redirectUrl: string;
};

/** Where OIDC sign-in comes back to, when OIDC_REDIRECT_URL does not say. */
export const OIDC_CALLBACK_PATH = '/api/console/oidc/callback';

export type GlobalManagerConfig = {
  intervalSeconds: number;
  /** How often a standby tries the lock: bounds a takeover after the leader dies. */
  standbyPollSeconds: number;
  /** `serve` runs it in-process: GLOBAL_MANAGER_EMBEDDED, by default on the embedded database only. */
  embedded: boolean;
  adminHost: string;
  adminPort: number;
  runsKeepDays: number;
  /** A month's invoices are finalized this long after it ends (INVOICE_FINALIZE_GRACE_MINUTES). */
  invoiceGraceMinutes: number;
};

export type AnchorConfig = {
  /** Blocks (the transaction's included) before an anchor counts. */
  confirmations: number;
  /** Least time between two anchoring transactions. */
  intervalSeconds: number;
} & ({ adapter: 'noop' } | { adapter: 'evm'; rpcUrl: string; privateKey: string; toAddress: string });

export type HttpLimits = {
  /** Whole request (headers and body) received within this, else 408 and the socket closes. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** A socket with no traffic at all for this long is closed. */
  idleSocketTimeoutMs: number;
  /** 0: unlimited. */
  maxRequestsPerSocket: number;
  maxConnections: number;
  /** 0: no per-IP cap (the default behind a trusted proxy, where every connection comes from it). */
  maxConnectionsPerIp: number;
  /** Requests being handled at once; beyond it 503 OVERLOADED with Retry-After. */
  maxInFlight: number;
};

const DEFAULT_MAX_CONNECTIONS_PER_IP = 256;

/** An S3-compatible bucket reached with the S3_* connection settings. */
export type S3Bucket = { bucket: string; region: string; endpoint?: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean };

function s3Bucket(e: z.infer<typeof EnvSchema>, bucket: string): S3Bucket {
  return {
    bucket,
    region: e.S3_REGION,
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
    ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}),
    ...(e.S3_ACCESS_KEY_ID ? { accessKeyId: e.S3_ACCESS_KEY_ID } : {}),
    ...(e.S3_SECRET_ACCESS_KEY ? { secretAccessKey: e.S3_SECRET_ACCESS_KEY } : {}),
  };
}

function httpLimitsOf(e: z.infer<typeof EnvSchema>): HttpLimits {
  return {
    requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: Math.min(e.HTTP_HEADERS_TIMEOUT_MS, e.HTTP_REQUEST_TIMEOUT_MS),
    keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    idleSocketTimeoutMs: e.HTTP_IDLE_SOCKET_TIMEOUT_MS,
    maxRequestsPerSocket: e.HTTP_MAX_REQUESTS_PER_SOCKET,
    maxConnections: e.HTTP_MAX_CONNECTIONS,
    maxConnectionsPerIp: e.HTTP_MAX_CONNECTIONS_PER_IP ?? (e.TRUST_PROXY ? 0 : DEFAULT_MAX_CONNECTIONS_PER_IP),
    maxInFlight: e.HTTP_MAX_IN_FLIGHT,
  };
}

function anchorConfigOf(e: z.infer<typeof EnvSchema>): AnchorConfig {
  const common = { confirmations: e.ANCHOR_CONFIRMATIONS, intervalSeconds: e.ANCHOR_INTERVAL_SECONDS };
  if (e.ANCHOR_ADAPTER === 'noop') return { ...common, adapter: 'noop' };
  return { ...common, adapter: 'evm', rpcUrl: e.ANCHOR_RPC_URL!, privateKey: e.ANCHOR_PRIVATE_KEY!, toAddress: e.ANCHOR_TO_ADDRESS! };
}

/** X402_PAY_TO turns the paid query on; it then needs the network, asset and price, and what the network's scheme needs in `extra`. */
function x402PriceOf(e: z.infer<typeof EnvSchema>): { ok: true; price: X402Price | undefined } | { ok: false; errors: string[] } {
  if (e.X402_PAY_TO === undefined) return { ok: true, price: undefined };
  const network = e.X402_NETWORK === undefined ? undefined : resolveNetwork(e.X402_NETWORK);
  const needed = ['X402_NETWORK', 'X402_ASSET', 'X402_PRICE', ...(network?.family === 'evm' ? ['X402_ASSET_NAME', 'X402_ASSET_VERSION'] as const : []), ...(network?.family === 'svm' ? ['X402_FEE_PAYER'] as const : [])];
  const missing = needed.filter((name) => e[name as keyof typeof e] === undefined);
  if (missing.length > 0 || !network) return { ok: false, errors: missing.map((name) => `${name}: required when X402_PAY_TO is set`) };
  const extra: Record<string, string> = network.family === 'evm' ? { name: e.X402_ASSET_NAME!, version: e.X402_ASSET_VERSION! } : { feePayer: e.X402_FEE_PAYER! };
  return { ok: true, price: { network, asset: e.X402_ASSET!, amount: BigInt(e.X402_PRICE!), payTo: e.X402_PAY_TO, maxTimeoutSeconds: e.X402_MAX_TIMEOUT_SECONDS, extra } };
}

/** OIDC_ISSUER turns OIDC sign-in on; it then needs the client id and secret. */
function oidcConfigOf(e: z.infer<typeof EnvSchema>): { ok: true; value: OidcConfig | undefined } | { ok: false; errors: string[] } {
  if (e.OIDC_ISSUER === undefined) return { ok: true, value: undefined };
  const missing = (['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const).filter((name) => e[name] === undefined);
  if (missing.length > 0) return { ok: false, errors: missing.map((name) => `${name}: required when OIDC_ISSUER is set`) };
  const publicUrlValue = e.PUBLIC_URL ?? defaultPublicUrl(e.PORT);
  return {
    ok: true,
    value: {
      issuer: e.OIDC_ISSUER,
      clientId: e.OIDC_CLIENT_ID!,
      clientSecret: e.OIDC_CLIENT_SECRET!,
      roleClaim: e.OIDC_ROLE_CLAIM,
      scopes: e.OIDC_SCOPES,
      redirectUrl: e.OIDC_REDIRECT_URL ?? `${publicUrlValue}${OIDC_CALLBACK_PATH}`,
    },
  };
}

/** PUBLIC_URL when unset: this machine, as a browser on it reaches the server. */
export function defaultPublicUrl(port: number): string {
  return `http://localhost:${port}`;
}

/** What an app built without a full configuration (tests, tools) runs with. */
export const DEFAULT_HTTP_LIMITS: HttpLimits = httpLimitsOf(EnvSchema.parse({}));

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
  if (e.ANCHOR_ADAPTER === 'evm') {
    const missing = (['ANCHOR_RPC_URL', 'ANCHOR_PRIVATE_KEY', 'ANCHOR_TO_ADDRESS'] as const).filter((name) => e[name] === undefined);
    if (missing.length > 0) return { ok: false, errors: missing.map((name) => `${name}: required when ANCHOR_ADAPTER=evm`) };
  }
  if (e.DATABASE_URL && !e.VERIDITY_ENCRYPTION_KEY) {
    return {
      ok: false,
      errors: ['VERIDITY_ENCRYPTION_KEY: required when DATABASE_URL is set (it is generated only for the embedded database)'],
    };
  }
  if (e.SMTP_URL && !e.SMTP_FROM) {
    return { ok: false, errors: ['SMTP_FROM: required when SMTP_URL is set (the sender of notification e-mails)'] };
  }
  if (e.BACKUP_S3_BUCKET !== undefined && e.BACKUP_S3_BUCKET === e.S3_BUCKET) {
    // A backup copies the object store: backups inside it would be copied into the next backup and restored as objects.
    return { ok: false, errors: ['BACKUP_S3_BUCKET: must be another bucket than S3_BUCKET (the object store a backup copies)'] };
  }
  const x402Price = x402PriceOf(e);
  if (!x402Price.ok) return x402Price;
  const oidc = oidcConfigOf(e);
  if (!oidc.ok) return oidc;
  return {
    ok: true,
    config: {
      port: e.PORT,
      host: e.HOST,
      databaseUrl: e.DATABASE_URL,
      ingestDatabaseUrl: e.INGEST_DATABASE_URL,
      databasePoolMax: e.DATABASE_POOL_MAX,
      dataDir: path.resolve(e.VERIDITY_DATA_DIR),
      embeddedPostgresPort: e.VERIDITY_EMBEDDED_PG_PORT,
      adminToken: e.VERIDITY_ADMIN_TOKEN,
      encryptionKeys: e.VERIDITY_ENCRYPTION_KEY,
      logLevel: e.LOG_LEVEL,
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      trustProxy: e.TRUST_PROXY,
      http: httpLimitsOf(e),
      verifierThreads: e.VERIFIER_THREADS,
      redisUrl: e.REDIS_URL,
      publicRateLimitPerMinute: e.RATE_LIMIT_PUBLIC_PER_MINUTE,
      s3: e.S3_BUCKET ? s3Bucket(e, e.S3_BUCKET) : undefined,
      backup: { keepDays: e.BACKUP_KEEP_DAYS, s3: e.BACKUP_S3_BUCKET ? s3Bucket(e, e.BACKUP_S3_BUCKET) : undefined },
      webhookAllowPrivateNetworks: e.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
      webhookConcurrency: e.WEBHOOK_CONCURRENCY,
      embeddedWorkers: e.VERIDITY_EMBEDDED_WORKERS,
      workerOnce: e.WORKER_ONCE,
      workerMetricsPort: e.WORKER_METRICS_PORT,
      ledgerCheckpointSeconds: e.LEDGER_CHECKPOINT_SECONDS,
      pccsUrl: e.PCCS_URL,
      teeAcceptedTcbStatuses: e.TEE_ACCEPTED_TCB_STATUSES,
      teeWorkerConcurrency: e.TEE_WORKER_CONCURRENCY,
      evidenceWorkerConcurrency: e.EVIDENCE_WORKER_CONCURRENCY,
      evidenceRetestLimit: e.EVIDENCE_RETEST_LIMIT,
      evidenceRetryBatchSize: e.EVIDENCE_RETRY_BATCH_SIZE,
      evidenceRetentionDays: e.EVIDENCE_RETENTION_DAYS,
      evidenceRetentionAnonymise: e.EVIDENCE_RETENTION_ANONYMISE,
      publicUrl: e.PUBLIC_URL ?? defaultPublicUrl(e.PORT),
      smtp: e.SMTP_URL && e.SMTP_FROM ? { url: e.SMTP_URL, from: e.SMTP_FROM, timeoutMs: e.SMTP_TIMEOUT_MS } : undefined,
      notificationAttachmentMaxBytes: e.NOTIFICATION_ATTACHMENT_MAX_BYTES,
      notificationConcurrency: e.NOTIFICATION_CONCURRENCY,
      ipfsPinUrl: e.IPFS_PIN_URL,
      anchor: anchorConfigOf(e),
      x402: { facilitatorUrl: e.X402_FACILITATOR_URL, price: x402Price.price },
      billingCurrency: e.BILLING_CURRENCY,
      globalManager: {
        intervalSeconds: e.GLOBAL_MANAGER_INTERVAL_SECONDS,
        standbyPollSeconds: e.GLOBAL_MANAGER_STANDBY_POLL_SECONDS,
        embedded: e.GLOBAL_MANAGER_EMBEDDED ?? e.DATABASE_URL === undefined,
        adminHost: e.GLOBAL_MANAGER_ADMIN_HOST,
        adminPort: e.GLOBAL_MANAGER_ADMIN_PORT,
        runsKeepDays: e.GLOBAL_MANAGER_RUNS_KEEP_DAYS,
        invoiceGraceMinutes: e.INVOICE_FINALIZE_GRACE_MINUTES,
      },
      reputation: { halfLifeDays: e.REPUTATION_HALF_LIFE_DAYS, payerMaxSettlements: e.REPUTATION_PAYER_MAX_SETTLEMENTS, payerWindowHours: e.REPUTATION_PAYER_WINDOW_HOURS },
      console: { oidc: oidc.value, siweChainId: e.CONSOLE_SIWE_CHAIN_ID },
    },
  };
}

/** Every environment variable the configuration reads: deployment files (compose, ECS task definitions) are checked against it. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);
