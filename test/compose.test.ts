/**
 * deploy/compose.yaml, checked without Docker: the services a production-shaped stack needs, nothing
 * but the proxy listening beyond loopback, a health check on every long-running service (one-shots
 * are waited for by what depends on them), Veridity's environment made only of variables the
 * configuration module reads and accepted by it once deploy/.env.example is filled in, the ingest
 * gateway with nothing but its own narrow credentials, and the proxy and collector files pointing at
 * the services that exist. `docker compose config` checks it too
 * where the compose plugin is installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '#src/config.ts';
import { hostIpOf, interpolateAll, interpolatedVariables, parseCompose, parseEnvFile, type Service } from './support/compose.ts';
import { envOf, parseDockerfile } from './support/dockerfile.ts';
import { ROOT } from './support/processes.ts';

const DEPLOY = path.join(ROOT, 'deploy');
const composeText = await readFile(path.join(DEPLOY, 'compose.yaml'), 'utf8');
const compose = parseCompose(composeText);
const services = compose.services;
const envExample = parseEnvFile(await readFile(path.join(DEPLOY, '.env.example'), 'utf8'));
const imageEnv = envOf(parseDockerfile(await readFile(path.join(DEPLOY, 'Dockerfile'), 'utf8')).stages.at(-1)!);

/** deploy/.env as an operator fills it in: every empty value of the example given a fresh secret. */
const filledEnv = Object.fromEntries(Object.entries(envExample).map(([name, value]) => [name, value || randomBytes(32).toString('hex')]));

const veridity = Object.entries(services).filter(([, service]) => service.build?.dockerfile === 'deploy/Dockerfile');
const withCommand = (role: string) => veridity.filter(([, service]) => service.command?.[0] === role);
const dependents = (name: string) => Object.entries(services).filter(([, service]) => service.depends_on && name in service.depends_on);
const isOneShot = (name: string, service: Service) =>
  service.restart === 'no' && dependents(name).length > 0 && dependents(name).every(([, other]) => (other.depends_on as Record<string, { condition: string }>)[name]!.condition === 'service_completed_successfully');

test('the stack: PostgreSQL 17, Redis, MinIO with its buckets, a migrate job, two API replicas and the ingest gateway behind a proxy, two workers, the global manager, Mailpit, a collector', () => {
  assert.match(services.postgres?.image ?? '', /^postgres:17\b/);
  assert.match(services.redis?.image ?? '', /^redis:/);
  assert.match(services.minio?.image ?? '', /^minio\/minio:/);
  assert.ok(isOneShot('minio-init', services['minio-init']!), 'minio-init must be a one-shot the others wait for');
  assert.match(String(services['minio-init']!.command), /mc mb --ignore-existing local\/veridity local\/veridity-backups/);
  assert.deepEqual(withCommand('migrate').map(([name]) => name), ['migrate']);
  assert.ok(isOneShot('migrate', services.migrate!), 'migrate must be a one-shot the others wait for');
  assert.equal(withCommand('serve').length, 2);
  assert.equal(withCommand('worker').length, 2);
  assert.equal(withCommand('global-manager').length, 1);
  assert.equal(withCommand('ingest').length, 1);
  assert.match(services.proxy?.image ?? '', /^(caddy|haproxy):/);
  assert.match(services.mailpit?.image ?? '', /mailpit/);
  assert.match(services['otel-collector']?.image ?? '', /otel-collector/);

  for (const [name, service] of Object.entries(services)) {
    assert.ok(service.restart === 'unless-stopped' || service.restart === 'always' || isOneShot(name, service), `${name}: no restart policy`);
    assert.notEqual(service.network_mode, 'host', `${name}: host networking bypasses the port bindings`);
  }
  for (const [name] of [...withCommand('serve'), ...withCommand('worker'), ...withCommand('global-manager'), ...withCommand('ingest')]) {
    const waits = services[name]!.depends_on as Record<string, { condition: string }>;
    assert.equal(waits.migrate?.condition, 'service_completed_successfully', `${name} must start after the migrations`);
  }
  for (const [name, service] of veridity) {
    assert.equal(service.read_only, true, `${name}: read-only root file system`);
    assert.deepEqual(service.tmpfs, ['/tmp'], `${name}: /tmp is its only scratch space`);
  }
});

test('nothing but the proxy listens beyond this machine', () => {
  const published: string[] = [];
  for (const [name, service] of Object.entries(interpolateAll(services, filledEnv))) {
    for (const port of service.ports ?? []) {
      published.push(`${name} ${JSON.stringify(port)}`);
      if (name === 'proxy') continue;
      assert.equal(hostIpOf(port), '127.0.0.1', `${name} publishes ${JSON.stringify(port)} beyond loopback`);
    }
  }
  assert.ok(services.proxy!.ports!.some((port) => hostIpOf(interpolateAll(port, filledEnv)) === '0.0.0.0'), 'the proxy is what other machines reach');
  assert.ok(published.length > (services.proxy!.ports?.length ?? 0), 'the check saw only the proxy');
});

test('every long-running service has a health check; one-shots are waited for instead', () => {
  for (const [name, service] of Object.entries(services)) {
    if (isOneShot(name, service)) continue;
    const check = service.healthcheck;
    assert.ok(check && !check.disable && check.test && check.test.length > 0, `${name} has no health check`);
  }
  // Veridity's checks are the image's script, on each role's own endpoint.
  for (const [name, service] of [...withCommand('serve'), ...withCommand('worker'), ...withCommand('global-manager'), ...withCommand('ingest')]) {
    const [cmd, node, script, url] = service.healthcheck!.test as string[];
    assert.deepEqual([cmd, node, script], ['CMD', 'node', 'deploy/healthcheck.ts'], name);
    const role = service.command![0];
    const env = service.environment!;
    if (role === 'worker') assert.equal(url, `http://127.0.0.1:${env.WORKER_METRICS_PORT}/metrics`, name);
    if (role === 'global-manager') assert.equal(url, `http://127.0.0.1:${env.GLOBAL_MANAGER_ADMIN_PORT}/status.json`, name);
    if (role === 'serve' || role === 'ingest') assert.equal(url, undefined, `${name}: the default is its own /healthz`);
  }
});

test("Veridity's environment: only variables of the configuration module, valid once deploy/.env is filled in; API replicas leave the workers to the workers", () => {
  const known = new Set(CONFIG_VARIABLES);
  for (const [name, service] of veridity) {
    for (const variable of Object.keys(service.environment ?? {})) {
      // OTEL_*: read by the OpenTelemetry SDK itself (its standard variables), not by src/config.ts.
      assert.ok(known.has(variable) || variable.startsWith('OTEL_'), `${name}: ${variable} is not a configuration variable`);
    }
    const env = { ...imageEnv, ...interpolateAll(service.environment!, filledEnv) } as Record<string, string>;
    const loaded = loadConfig(env);
    assert.ok(loaded.ok, `${name}: ${loaded.ok ? '' : loaded.errors.join('; ')}`);
    if (service.command?.[0] === 'ingest') continue; // its own test below
    assert.equal(loaded.config.embeddedWorkers, false, `${name}: the workers run in their own containers`);
    assert.equal(loaded.config.globalManager.embedded, false, `${name}: the global manager runs in its own container`);
    assert.ok(loaded.config.s3 && loaded.config.backup.s3, `${name}: objects and backups go to MinIO`);
  }
  for (const [name, service] of withCommand('serve')) {
    const config = loadConfig({ ...imageEnv, ...interpolateAll(service.environment!, filledEnv) } as Record<string, string>);
    assert.ok(config.ok && config.config.redisUrl && config.config.trustProxy && config.config.adminToken, `${name}: shared rate limits, proxy headers, a set admin token`);
  }
  const [, worker] = withCommand('worker')[0]!;
  assert.ok(loadConfig({ ...imageEnv, ...interpolateAll(worker.environment!, filledEnv) } as Record<string, string>).ok);
});

test('the ingest gateway: behind the proxy as veridity_ingest, whose password migrate sets; no platform secret; a MinIO user that may only add submitted documents', async () => {
  const [[name, ingest]] = withCommand('ingest') as [[string, Service]];
  const env = interpolateAll(ingest.environment!, filledEnv) as Record<string, string>;
  for (const secret of ['DATABASE_URL', 'VERIDITY_ENCRYPTION_KEY', 'VERIDITY_ADMIN_TOKEN', 'BACKUP_S3_BUCKET', 'SMTP_URL']) assert.ok(!(secret in env), `${name} must not hold ${secret}`);
  const loaded = loadConfig({ ...imageEnv, ...env });
  assert.ok(loaded.ok && loaded.config.trustProxy && loaded.config.redisUrl && loaded.config.s3, `${name}: behind the proxy, shared rate limits, the platform's bucket`);
  const url = new URL(loaded.config.ingestDatabaseUrl!);
  assert.equal(url.username, 'veridity_ingest');
  assert.equal(url.password, filledEnv.INGEST_DB_PASSWORD);
  // The migrate job gives the role this very password (test/migrate-ingest-role.test.ts).
  assert.equal(interpolateAll(services.migrate!.environment!, filledEnv).INGEST_DATABASE_URL, env.INGEST_DATABASE_URL);
  assert.equal(env.S3_BUCKET, interpolateAll(services['api-1']!.environment!, filledEnv).S3_BUCKET, 'serve reads what the gateway stores');
  assert.notEqual(env.S3_ACCESS_KEY_ID, interpolateAll(services['api-1']!.environment!, filledEnv).S3_ACCESS_KEY_ID, 'a MinIO user of its own');

  const init = String(services['minio-init']!.command);
  assert.match(init, /mc admin user add local "\$\$INGEST_S3_ACCESS_KEY_ID"/);
  assert.match(init, /mc admin policy attach local veridity-ingest --user "\$\$INGEST_S3_ACCESS_KEY_ID"/);
  const policy = JSON.parse(await readFile(path.join(DEPLOY, 'minio/ingest-policy.json'), 'utf8')) as { Statement: Array<{ Effect: string; Action: string[]; Resource: string[] }> };
  assert.deepEqual(policy.Statement.map(({ Effect, Action, Resource }) => ({ Effect, Action, Resource })), [{ Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::veridity/evidence/*'] }]);
});

test('deploy/.env.example names every variable the stack needs, leaves every secret empty, and compose refuses to start without them', () => {
  const referenced = interpolatedVariables(composeText);
  for (const { name } of referenced) assert.ok(name in envExample, `${name} is used by compose.yaml but missing from deploy/.env.example`);
  for (const name of Object.keys(envExample)) assert.ok(referenced.some((ref) => ref.name === name), `${name} in deploy/.env.example is used nowhere`);
  for (const { name } of referenced.filter((ref) => ref.required)) {
    if (/PASSWORD|SECRET|KEY$|TOKEN/.test(name) && !name.endsWith('_KEY_ID')) assert.equal(envExample[name], '', `${name}: the example must not ship a secret`);
  }
  assert.ok(referenced.some((ref) => ref.name === 'VERIDITY_ENCRYPTION_KEY' && ref.required));
  assert.throws(() => interpolateAll(services, envExample), /set [A-Z_]+ in deploy\/.env/);
});

test("the proxy's upstreams and the collector's scrape targets are the services that exist, on the ports they listen on", async () => {
  const apis = withCommand('serve').map(([name, service]) => `${name}:${service.environment?.PORT ?? imageEnv.PORT}`);
  const caddyfile = await readFile(path.join(DEPLOY, 'Caddyfile'), 'utf8');
  assert.match(caddyfile, new RegExp(`reverse_proxy ${apis.join(' ')} \\{`));
  assert.match(caddyfile, /health_uri \/readyz/);
  // Submissions to the gateway; enrollment and the CRLs (the agent CAs' keys) stay with the API.
  const gateways = withCommand('ingest').map(([name, service]) => `${name}:${service.environment?.PORT ?? imageEnv.PORT}`);
  assert.match(caddyfile, new RegExp(`handle /ingest/v1/proofs \\{\\s*reverse_proxy ${gateways.join(' ')} \\{`));
  assert.doesNotMatch(caddyfile, /handle \/ingest\/v1\/(\*|enroll|crl)/);

  const collector = YAML.parse(await readFile(path.join(DEPLOY, 'otel-collector.yaml'), 'utf8')) as {
    receivers: Record<string, { config?: { scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> } }>;
    exporters: Record<string, unknown>;
    processors: Record<string, unknown>;
    extensions: Record<string, unknown>;
    service: { extensions: string[]; pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }> };
  };
  const targets = collector.receivers.prometheus!.config!.scrape_configs.flatMap((job) => job.static_configs.flatMap((config) => config.targets)).sort();
  const expected = [
    ...apis,
    ...withCommand('worker').map(([name, service]) => `${name}:${service.environment!.WORKER_METRICS_PORT}`),
    ...withCommand('global-manager').map(([name, service]) => `${name}:${service.environment!.GLOBAL_MANAGER_ADMIN_PORT}`),
    ...withCommand('ingest').map(([name, service]) => `${name}:${service.environment?.PORT ?? imageEnv.PORT}`),
  ].sort();
  assert.deepEqual(targets, expected);
  for (const [, service] of veridity.filter(([, service]) => service.command?.[0] !== 'migrate')) {
    assert.equal(service.environment?.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://otel-collector:4318');
  }
  for (const pipeline of Object.values(collector.service.pipelines)) {
    for (const receiver of pipeline.receivers) assert.ok(receiver in collector.receivers, receiver);
    for (const processor of pipeline.processors) assert.ok(processor in collector.processors, processor);
    for (const exporter of pipeline.exporters) assert.ok(exporter in collector.exporters, exporter);
  }
  for (const extension of collector.service.extensions) assert.ok(extension in collector.extensions, extension);

  // Every file the stack mounts is in the repository.
  for (const [name, service] of Object.entries(services)) {
    for (const volume of service.volumes ?? []) {
      const source = typeof volume === 'string' ? volume.split(':')[0]! : volume.source ?? '';
      if (source.startsWith('.')) await access(path.join(DEPLOY, source)).catch(() => assert.fail(`${name} mounts ${source}, which does not exist`));
      else assert.ok(source in (compose.volumes ?? {}), `${name}: volume ${source} is not declared`);
    }
  }
});

const composeCli = ((): string[] | undefined => {
  if (spawnSync('docker', ['compose', 'version']).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version']).status === 0) return ['docker-compose'];
  return undefined;
})();

test('docker compose config accepts the file with a filled-in env file', { skip: !composeCli && 'neither the docker compose plugin nor docker-compose is installed (the checks above stand in for it)' }, async () => {
  const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-compose-'));
  try {
    const envFile = path.join(scratch, '.env');
    await writeFile(envFile, Object.entries(filledEnv).map(([name, value]) => `${name}=${value}`).join('\n'));
    const [command, ...args] = composeCli!;
    const result = spawnSync(command!, [...args, '--project-directory', DEPLOY, '-f', path.join(DEPLOY, 'compose.yaml'), '--env-file', envFile, 'config', '--quiet'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
