// The real server: `bin/veridity serve` (as `npm start` runs it) with an embedded PostgreSQL in a temp data dir,
// production settings (defaults; logs at warn), seeded through the admin API like an operator would.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '#platform/net/free-port.ts';
import { cleanEnv, VERIDITY_BIN } from '#test/support/processes.ts';
import type { IssuerKey } from '#modules/zk/credentials/generate-issuer-key.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';

/** The highest `rate_limit_per_minute` an operator may set: the per-partner limit must not be what is measured. */
const PARTNER_RATE_LIMIT = 1_000_000;
const SEEDING_CONCURRENCY = 8;

export type VeridityServer = ServerProcess & { adminToken: string };

/** `cpuProfileDir`: run the server under `--cpu-prof` (the profile is written when it stops). */
export async function startVeridity(options: { cpuProfileDir?: string; env?: Record<string, string> } = {}): Promise<VeridityServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'veridity-bench-http-'));
  const adminToken = `vat_bench_${randomBytes(24).toString('hex')}`;
  const port = await freePort();
  const cpuProfile: Record<string, string> = options.cpuProfileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${options.cpuProfileDir}` } : {};
  const env = cleanEnv({ VERIDITY_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', VERIDITY_ADMIN_TOKEN: adminToken, NODE_ENV: 'production', ...cpuProfile, ...options.env });
  const server = await startServerProcess({ name: 'veridity', command: VERIDITY_BIN, args: ['serve'], env, port, readyPath: '/readyz' });
  return {
    ...server,
    adminToken,
    async stop() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Trusts the bench issuer and creates `count` partners (scope age_over_18; the soak adds
 * tee_attestation and a webhook URL) through the admin API: their API keys.
 */
export async function seedVeridity(server: VeridityServer, issuer: IssuerKey, count: number, extra: { scopes?: string[]; webhookUrl?: string } = {}): Promise<string[]> {
  const admin = async (route: string, body: unknown) => {
    const response = await fetch(server.url + route, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (response.status !== 201) throw new Error(`POST ${route} answered ${response.status}: ${JSON.stringify(answer)}`);
    return answer;
  };
  await admin('/api/admin/issuers', { name: 'Bench issuer', public_key: issuer.publicKey, claim_types: ['age_over_18'] });
  const apiKeys: string[] = new Array(count);
  let next = 0;
  const seeder = async () => {
    for (let i = next++; i < count; i = next++) {
      const partner = await admin('/api/admin/clients', {
        name: `Bench partner ${i}`,
        scopes: ['age_over_18', ...(extra.scopes ?? [])],
        rate_limit_per_minute: PARTNER_RATE_LIMIT,
        ...(extra.webhookUrl ? { webhook_url: extra.webhookUrl } : {}),
      });
      apiKeys[i] = partner.api_key as string;
    }
  };
  await Promise.all(Array.from({ length: SEEDING_CONCURRENCY }, seeder));
  return apiKeys;
}
