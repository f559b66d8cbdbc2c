// Agent registry query: p50/p99 of GET /api/v1/agents per query shape over 100,000 agents, beside a
// naive baseline (the same filters on an unindexed copy, ILIKE for the text and OFFSET for pages).
//
//   npm run bench:agents          (TEST_DATABASE_URL or DATABASE_URL names a PostgreSQL server to
//                                  use; otherwise an embedded PostgreSQL runs in a temp dir)
//
// The agents are seeded with one INSERT ... SELECT (generated names, descriptions, capabilities,
// tags, scores), then each shape is asked ROUNDS times through the app (inject: the whole HTTP
// stack, routing, validation, serialization, ETag, without a socket). EXPLAIN shows the plans use
// the indexes of migration 0020. The last line is `agents_query_p99_ms=<worst shape's p99>`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.ts';
import { systemClock } from '../src/platform/clock.ts';
import { createPlatformKeys } from '../src/platform/crypto/platform-keys.ts';
import { createSecretBox } from '../src/platform/crypto/secret-box.ts';
import { generateToken } from '../src/platform/crypto/tokens.ts';
import { wrapPool } from '../src/platform/db/database.ts';
import { runMigrations } from '../src/platform/db/migrate.ts';
import { createPool } from '../src/platform/db/pool.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createFileStorage } from '../src/platform/storage/object-storage.ts';
import { DEFAULT_HTTP_LIMITS } from '../src/config.ts';
import { CAPABILITIES } from '../src/modules/agents/capabilities.ts';
import { createGroth16VerifierPool } from '../src/modules/zk/groth16/verifier-pool.ts';
import { openBenchDatabase } from './support/bench-database.ts';
import { randomBytes } from 'node:crypto';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const WORDS = ['contract', 'auditor', 'summarizer', 'legal', 'invoice', 'vision', 'speech', 'market', 'oracle', 'swarm', 'research', 'label', 'translate', 'risk', 'trading', 'security'];

const log = createLogger('error');
const database = await openBenchDatabase(log);
const pool = createPool(database.url, { max: 8, log });
await runMigrations(pool);
const objectsDir = await mkdtemp(path.join(tmpdir(), 'veridity-bench-agents-'));
const verifier = createGroth16VerifierPool({ size: 1 });
const db = wrapPool(pool);
const secretBox = createSecretBox([randomBytes(32)]);
const app = await buildApp({
  config: { adminToken: generateToken('vat'), bodyLimitBytes: 256 * 1024, trustProxy: false, redisUrl: undefined, publicRateLimitPerMinute: 100_000_000, http: DEFAULT_HTTP_LIMITS },
  log, clock: systemClock, pool, db, secretBox, platformKeys: createPlatformKeys({ db, secretBox }), storage: createFileStorage(objectsDir), verifier,
});
await app.ready();

try {
  // ---- Seed: one partner, AGENTS agents (newest ids last), then a copy without any index. ----
  const started = performance.now();
  await pool.query(`INSERT INTO api_clients (id, name, scopes) VALUES ('cli_bench', 'bench', '{agents}')`);
  await pool.query(
    `INSERT INTO registry_agents (id, client_id, name, description, capabilities, tags, controller_did, controller_namespace, controller_key,
                                  created_at, updated_at, verified_at, score, confidence)
     SELECT 'agr_' || lpad(to_hex(i), 26, '0'), 'cli_bench',
            initcap(w[1 + i % 16]) || ' ' || w[1 + (i / 16) % 16] || ' ' || i,
            'Agent ' || i || ' does ' || w[1 + (i / 7) % 16] || ' and ' || w[1 + (i / 3) % 16] || ' work',
            ARRAY[c[1 + i % ${CAPABILITIES.length}], c[1 + (i / 5) % ${CAPABILITIES.length}]], ARRAY['tag' || (i % 50)],
            'did:pkh:eip155:1:0x' || lpad(to_hex(i), 40, '0'), 'eip155', decode(lpad(to_hex(i), 40, '0'), 'hex'),
            now(), now(), CASE WHEN i % 3 = 0 THEN now() END,
            CASE WHEN i % 4 = 0 THEN NULL ELSE ((i::bigint * 7919) % 1000) / 1000.0 END, ((i::bigint * 104729) % 1000) / 1000.0
       FROM generate_series(1, $1) AS i, (SELECT $2::text[] AS w, $3::text[] AS c) AS vocabulary`,
    [AGENTS, WORDS, [...CAPABILITIES]],
  );
  await pool.query('CREATE TABLE naive_agents AS SELECT * FROM registry_agents');
  await pool.query('ANALYZE registry_agents; ANALYZE naive_agents');
  console.log(`seeded ${AGENTS} agents in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // ---- The query mix: [label, query string, naive SQL (no index, ILIKE, OFFSET 40 = the third page)]. ----
  const naiveColumns = 'id, name, description, capabilities, tags, score, confidence';
  const shapes: [string, string, string][] = [
    ['recent', '', `SELECT ${naiveColumns} FROM naive_agents WHERE deactivated_at IS NULL ORDER BY created_at DESC, id DESC OFFSET 40 LIMIT 21`],
    ['capability', 'capability=audit.smart-contract', `SELECT ${naiveColumns} FROM naive_agents WHERE deactivated_at IS NULL AND 'audit.smart-contract' = ANY (capabilities) ORDER BY id DESC OFFSET 40 LIMIT 21`],
    ['tag+verified', 'tag=tag7&verified=true', `SELECT ${naiveColumns} FROM naive_agents WHERE deactivated_at IS NULL AND 'tag7' = ANY (tags) AND verified_at IS NOT NULL ORDER BY id DESC OFFSET 40 LIMIT 21`],
    ['sort=score', 'sort=score', `SELECT ${naiveColumns} FROM naive_agents WHERE deactivated_at IS NULL ORDER BY score DESC NULLS LAST, id DESC OFFSET 40 LIMIT 21`],
    ['score filters', 'min_score=0.9&min_confidence=0.5&sort=score', `SELECT ${naiveColumns} FROM naive_agents WHERE deactivated_at IS NULL AND score >= 0.9 AND confidence >= 0.5 ORDER BY score DESC NULLS LAST, id DESC OFFSET 40 LIMIT 21`],
    ['q (common word)', 'q=oracle', `SELECT ${naiveColumns} FROM naive_agents WHERE deactivated_at IS NULL AND (name ILIKE '%oracle%' OR description ILIKE '%oracle%') ORDER BY id DESC OFFSET 40 LIMIT 21`],
    ['q (rare) + capability', 'q=12345&capability=nlp.summarization', `SELECT ${naiveColumns} FROM naive_agents WHERE deactivated_at IS NULL AND 'nlp.summarization' = ANY (capabilities) AND (name ILIKE '%12345%' OR description ILIKE '%12345%') ORDER BY id DESC OFFSET 40 LIMIT 21`],
  ];
  const pct = (samples: number[], p: number) => samples.sort((a, b) => a - b)[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)]!;
  let worst = 0;
  console.log(`\n${'shape'.padEnd(24)} ${'http p50'.padStart(9)} ${'http p99'.padStart(9)}   ${'naive p50'.padStart(9)} ${'naive p99'.padStart(9)}   naive/http p99`);
  for (const [label, query, naive] of shapes) {
    // Third page, as the naive one (keyset: two cursor hops first, not timed).
    let url = `/api/v1/agents?limit=20${query ? `&${query}` : ''}`;
    for (let hop = 0; hop < 2; hop++) {
      const cursor = (await app.inject({ method: 'GET', url })).json().next_cursor;
      if (cursor) url = `/api/v1/agents?limit=20${query ? `&${query}` : ''}&cursor=${cursor}`;
    }
    const http: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = performance.now();
      const response = await app.inject({ method: 'GET', url });
      http.push(performance.now() - t0);
      if (response.statusCode !== 200) throw new Error(`${label}: ${response.statusCode} ${response.body}`);
    }
    const naiveTimes: number[] = [];
    for (let round = 0; round < Math.min(ROUNDS, 50); round++) {
      const t0 = performance.now();
      await pool.query(naive);
      naiveTimes.push(performance.now() - t0);
    }
    const [hp50, hp99, np50, np99] = [pct(http, 50), pct(http, 99), pct(naiveTimes, 50), pct(naiveTimes, 99)];
    worst = Math.max(worst, hp99);
    console.log(`${label.padEnd(24)} ${hp50.toFixed(1).padStart(7)}ms ${hp99.toFixed(1).padStart(7)}ms   ${np50.toFixed(1).padStart(7)}ms ${np99.toFixed(1).padStart(7)}ms   ${(np99 / hp99).toFixed(1)}x`);
  }

  // ---- Plans: the indexed query's access path for two shapes (as search-agents.ts builds it). ----
  for (const [label, sql] of [
    ['capability', `SELECT id FROM registry_agents WHERE deactivated_at IS NULL AND capabilities @> ARRAY['audit.smart-contract'] ORDER BY id DESC LIMIT 21`],
    ['q', `SELECT id FROM registry_agents WHERE deactivated_at IS NULL AND search @@ websearch_to_tsquery('english', '12345') ORDER BY id DESC LIMIT 21`],
    ['sort=score', `SELECT id FROM registry_agents WHERE deactivated_at IS NULL ORDER BY coalesce(score, -1) DESC, id DESC LIMIT 21`],
  ] as const) {
    const plan = (await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`)).rows.map((row) => row['QUERY PLAN']);
    const indexes = [...new Set(plan.join('\n').match(/registry_agents_\w+/g) ?? [])];
    console.log(`\nplan ${label}: ${indexes.length ? `uses ${indexes.join(', ')}` : 'NO INDEX'}\n  ${plan.join('\n  ')}`);
  }
  console.log(`\nagents_query_p99_ms=${worst.toFixed(1)}`);
} finally {
  await app.close();
  await verifier.close();
  await pool.end();
  await database.close();
  await rm(objectsDir, { recursive: true, force: true });
}
