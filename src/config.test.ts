import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from './config.ts';

test('defaults: port 3000, embedded database, ./data, info logs, 256 KiB bodies', () => {
  const result = loadConfig({});
  assert.ok(result.ok);
  assert.equal(result.config.port, 3000);
  assert.equal(result.config.databaseUrl, undefined);
  assert.match(result.config.dataDir, /\/data$/);
  assert.equal(result.config.logLevel, 'info');
  assert.equal(result.config.bodyLimitBytes, 262144);
  assert.equal(result.config.encryptionKeys, undefined);
});

test('every bad variable is named, not only the first', () => {
  const result = loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', VERIDITY_ADMIN_TOKEN: 'short', VERIDITY_ENCRYPTION_KEY: 'zz' });
  assert.equal(result.ok, false);
  if (result.ok) return;
  const named = result.errors.map((e) => e.split(':')[0]);
  assert.deepEqual(named.sort(), ['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'VERIDITY_ADMIN_TOKEN', 'VERIDITY_ENCRYPTION_KEY']);
});

test('an external database requires an explicit encryption key', () => {
  const result = loadConfig({ DATABASE_URL: 'postgres://u@h/db' });
  assert.equal(result.ok, false);
  const withKey = loadConfig({ DATABASE_URL: 'postgres://u@h/db', VERIDITY_ENCRYPTION_KEY: 'ab'.repeat(32) + ',' + Buffer.alloc(32, 7).toString('base64') });
  assert.ok(withKey.ok);
  assert.equal(withKey.config.encryptionKeys?.length, 2);
});

test('empty strings count as unset', () => {
  const result = loadConfig({ PORT: '', DATABASE_URL: '' });
  assert.ok(result.ok);
  assert.equal(result.config.port, 3000);
});

test('workers and webhooks: secure defaults, explicit switches, bad values named', () => {
  const defaults = loadConfig({});
  assert.ok(defaults.ok);
  assert.equal(defaults.config.webhookAllowPrivateNetworks, false);
  assert.equal(defaults.config.embeddedWorkers, true);
  assert.equal(defaults.config.workerOnce, false);
  assert.equal(defaults.config.webhookConcurrency, 16);
  assert.equal(defaults.config.workerMetricsPort, undefined);

  const set = loadConfig({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', VERIDITY_EMBEDDED_WORKERS: 'false', WORKER_ONCE: '1', WEBHOOK_CONCURRENCY: '4', WORKER_METRICS_PORT: '9464' });
  assert.ok(set.ok);
  assert.equal(set.config.webhookAllowPrivateNetworks, true);
  assert.equal(set.config.embeddedWorkers, false);
  assert.equal(set.config.workerOnce, true);
  assert.equal(set.config.webhookConcurrency, 4);
  assert.equal(set.config.workerMetricsPort, 9464);

  const bad = loadConfig({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'yes', WORKER_ONCE: 'sometimes', WEBHOOK_CONCURRENCY: '0' });
  assert.equal(bad.ok, false);
  if (bad.ok) return;
  assert.deepEqual(bad.errors.map((e) => e.split(':')[0]).sort(), ['WEBHOOK_ALLOW_PRIVATE_NETWORKS', 'WEBHOOK_CONCURRENCY', 'WORKER_ONCE']);
});

test('PUBLIC_URL: the origin certificates link to, localhost by default, trailing slash dropped, no query or credentials', () => {
  const defaults = loadConfig({ PORT: '8080' });
  assert.ok(defaults.ok);
  assert.equal(defaults.config.publicUrl, 'http://localhost:8080');
  const set = loadConfig({ PUBLIC_URL: 'https://verify.example.com/veridity/' });
  assert.ok(set.ok);
  assert.equal(set.config.publicUrl, 'https://verify.example.com/veridity');
  for (const bad of ['ftp://verify.example.com', 'https://user:pw@verify.example.com', 'https://verify.example.com/?a=1', 'https://verify.example.com/#x', 'not a url']) {
    const result = loadConfig({ PUBLIC_URL: bad });
    assert.equal(result.ok, false, bad);
    if (!result.ok) assert.match(result.errors[0]!, /^PUBLIC_URL: /);
  }
});

test('SMTP_URL: e-mail off when unset; smtp(s):// with SMTP_FROM required beside it; the error never echoes the URL', () => {
  const off = loadConfig({});
  assert.ok(off.ok);
  assert.equal(off.config.smtp, undefined);
  assert.equal(off.config.notificationAttachmentMaxBytes, 5 * 1024 * 1024);
  const on = loadConfig({ SMTP_URL: 'smtps://mailer:pw@smtp.example.com:465', SMTP_FROM: 'Veridity <noreply@example.com>' });
  assert.ok(on.ok);
  assert.deepEqual(on.config.smtp, { url: 'smtps://mailer:pw@smtp.example.com:465', from: 'Veridity <noreply@example.com>', timeoutMs: 15_000 });
  const noFrom = loadConfig({ SMTP_URL: 'smtp://127.0.0.1:25' });
  assert.equal(noFrom.ok, false);
  if (!noFrom.ok) assert.match(noFrom.errors[0]!, /^SMTP_FROM: /);
  const bad = loadConfig({ SMTP_URL: 'http://mailer:secret-pw@smtp.example.com', SMTP_FROM: 'a@b.example' });
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.match(bad.errors[0]!, /^SMTP_URL: /);
    assert.ok(!bad.errors.join('').includes('secret-pw'));
  }
});

test('anchoring: noop by default; evm needs its RPC URL, key and address, and no error repeats the key', () => {
  const defaults = loadConfig({});
  assert.ok(defaults.ok);
  assert.deepEqual(defaults.config.anchor, { adapter: 'noop', confirmations: 12, intervalSeconds: 600 });

  const missing = loadConfig({ ANCHOR_ADAPTER: 'evm', ANCHOR_RPC_URL: 'http://127.0.0.1:8545' });
  assert.equal(missing.ok, false);
  if (!missing.ok) assert.deepEqual(missing.errors, ['ANCHOR_PRIVATE_KEY: required when ANCHOR_ADAPTER=evm', 'ANCHOR_TO_ADDRESS: required when ANCHOR_ADAPTER=evm']);

  const badKey = `0x${'ab'.repeat(31)}zz`;
  const bad = loadConfig({ ANCHOR_ADAPTER: 'chain', ANCHOR_PRIVATE_KEY: badKey, ANCHOR_TO_ADDRESS: '0x12', ANCHOR_RPC_URL: 'ftp://x', ANCHOR_CONFIRMATIONS: '0' });
  assert.equal(bad.ok, false);
  if (bad.ok) return;
  assert.deepEqual(bad.errors.map((e) => e.split(':')[0]).sort(), ['ANCHOR_ADAPTER', 'ANCHOR_CONFIRMATIONS', 'ANCHOR_PRIVATE_KEY', 'ANCHOR_RPC_URL', 'ANCHOR_TO_ADDRESS']);
  assert.ok(!bad.errors.join('\n').includes(badKey.slice(2, 20)), 'the key is not repeated');

  const key = `0x${'1f'.repeat(32)}`;
  const evm = loadConfig({ ANCHOR_ADAPTER: 'evm', ANCHOR_RPC_URL: 'http://127.0.0.1:8545', ANCHOR_PRIVATE_KEY: key, ANCHOR_TO_ADDRESS: `0x${'00'.repeat(19)}01`, ANCHOR_CONFIRMATIONS: '3', ANCHOR_INTERVAL_SECONDS: '0' });
  assert.ok(evm.ok);
  assert.deepEqual(evm.config.anchor, { adapter: 'evm', rpcUrl: 'http://127.0.0.1:8545', privateKey: key, toAddress: `0x${'00'.repeat(19)}01`, confirmations: 3, intervalSeconds: 0 });
});

test('X402_PAY_TO prices the agent query: it needs network, asset, price and what the network needs in extra', () => {
  const missing = loadConfig({ X402_PAY_TO: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C', X402_NETWORK: 'base-sepolia' });
  assert.equal(missing.ok, false);
  if (!missing.ok) assert.deepEqual(missing.errors.map((error) => error.split(':')[0]).sort(), ['X402_ASSET', 'X402_ASSET_NAME', 'X402_ASSET_VERSION', 'X402_PRICE']);
  assert.equal(loadConfig({ X402_NETWORK: 'dogecoin' }).ok, false);
  const solana = loadConfig({ X402_PAY_TO: '2wKupLR9q6wXYppw8Gr2NvWxKBUqm4PPJKkQfoxHDBg4', X402_NETWORK: 'solana-devnet', X402_ASSET: '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU', X402_PRICE: '1000', X402_FEE_PAYER: 'EwWqGE4ZFKLofuestmU4LDdK7XM1N4ALgdZccwYugwGd' });
  assert.ok(solana.ok);
  if (solana.ok) {
    assert.equal(solana.config.x402.price?.network.caip2, 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1');
    assert.equal(solana.config.x402.price?.amount, 1000n);
    assert.deepEqual(solana.config.x402.price?.extra, { feePayer: 'EwWqGE4ZFKLofuestmU4LDdK7XM1N4ALgdZccwYugwGd' });
    assert.equal(solana.config.x402.facilitatorUrl, undefined);
  }
});

test('backups in S3: BACKUP_S3_BUCKET with the S3_* connection, never the object store\'s own bucket', () => {
  const s3 = { S3_ENDPOINT: 'http://127.0.0.1:9000', S3_FORCE_PATH_STYLE: 'true', S3_BUCKET: 'veridity-objects' };
  const result = loadConfig({ ...s3, BACKUP_S3_BUCKET: 'veridity-backups', BACKUP_KEEP_DAYS: '7' });
  assert.ok(result.ok);
  assert.deepEqual(result.config.backup, { keepDays: 7, s3: { bucket: 'veridity-backups', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true } });
  const same = loadConfig({ ...s3, BACKUP_S3_BUCKET: 'veridity-objects' });
  assert.equal(same.ok, false);
  if (!same.ok) assert.match(same.errors[0]!, /^BACKUP_S3_BUCKET: must be another bucket than S3_BUCKET/);
});

test('the global manager runs inside serve on the embedded database by default, not beside an external one; GLOBAL_MANAGER_EMBEDDED decides', () => {
  const external = { DATABASE_URL: 'postgres://u@h/db', VERIDITY_ENCRYPTION_KEY: 'ab'.repeat(32) };
  const cases: Array<[Record<string, string>, boolean]> = [
    [{}, true],
    [{ GLOBAL_MANAGER_EMBEDDED: 'false' }, false],
    [external, false],
    [{ ...external, GLOBAL_MANAGER_EMBEDDED: 'true' }, true],
  ];
  for (const [env, embedded] of cases) {
    const result = loadConfig(env);
    assert.ok(result.ok);
    assert.equal(result.config.globalManager.embedded, embedded, JSON.stringify(env));
  }
});

test('console sign-in: OIDC off unless OIDC_ISSUER, which needs the client id and secret; https except on loopback; the secret is never echoed', () => {
  const off = loadConfig({});
  assert.ok(off.ok);
  assert.deepEqual(off.config.console, { oidc: undefined, siweChainId: 1 });

  const missing = loadConfig({ OIDC_ISSUER: 'https://id.example.com/realms/ops' });
  assert.equal(missing.ok, false);
  if (!missing.ok) assert.deepEqual(missing.errors, ['OIDC_CLIENT_ID: required when OIDC_ISSUER is set', 'OIDC_CLIENT_SECRET: required when OIDC_ISSUER is set']);

  const on = loadConfig({ OIDC_ISSUER: 'https://id.example.com/realms/ops', OIDC_CLIENT_ID: 'veridity', OIDC_CLIENT_SECRET: 's3cret', PUBLIC_URL: 'https://veridity.example.com/', CONSOLE_SIWE_CHAIN_ID: '8453' });
  assert.ok(on.ok);
  assert.deepEqual(on.config.console, {
    siweChainId: 8453,
    oidc: { issuer: 'https://id.example.com/realms/ops', clientId: 'veridity', clientSecret: 's3cret', roleClaim: 'veridity_role', scopes: 'openid email profile', redirectUrl: 'https://veridity.example.com/api/console/oidc/callback' },
  });
  const own = loadConfig({ OIDC_ISSUER: 'http://127.0.0.1:8080/realms/dev', OIDC_CLIENT_ID: 'v', OIDC_CLIENT_SECRET: 's', OIDC_ROLE_CLAIM: 'realm_access.roles', OIDC_SCOPES: 'openid roles', OIDC_REDIRECT_URL: 'http://localhost:5173/api/console/oidc/callback' });
  assert.ok(own.ok);
  assert.deepEqual([own.config.console.oidc?.roleClaim, own.config.console.oidc?.scopes, own.config.console.oidc?.redirectUrl], ['realm_access.roles', 'openid roles', 'http://localhost:5173/api/console/oidc/callback']);

  const bad = loadConfig({ OIDC_ISSUER: 'http://id.example.com', OIDC_CLIENT_ID: 'v', OIDC_CLIENT_SECRET: 'very-secret-value', OIDC_SCOPES: 'email', OIDC_ROLE_CLAIM: 'has space', CONSOLE_SIWE_CHAIN_ID: '0' });
  assert.equal(bad.ok, false);
  if (bad.ok) return;
  assert.deepEqual(bad.errors.map((e) => e.split(':')[0]).sort(), ['CONSOLE_SIWE_CHAIN_ID', 'OIDC_ISSUER', 'OIDC_ROLE_CLAIM', 'OIDC_SCOPES']);
  assert.ok(!bad.errors.join('\n').includes('very-secret-value'));
});
