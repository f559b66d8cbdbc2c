import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OpenAPIV3_1 } from 'openapi-types';
import { buildApp } from '#src/app.ts';
import { DEFAULT_HTTP_LIMITS } from '#src/config.ts';
import { systemClock } from '#platform/clock.ts';
import { createPlatformKeys } from '#platform/crypto/platform-keys.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { wrapPool } from '#platform/db/database.ts';
import { createPool } from '#platform/db/pool.ts';
import { createLogger } from '#platform/logger.ts';
import { createFileStorage } from '#platform/storage/object-storage.ts';
import { createGroth16VerifierPool } from '#modules/zk/groth16/verifier-pool.ts';

/**
 * The document GET /openapi.json serves, built without a database or a port: buildApp opens
 * nothing by itself and the document depends only on the routes, so the pool points nowhere
 * and is never connected (a route that queried while being registered would fail here loudly).
 * The client SDK is generated from it (scripts/generate-client.ts).
 */
export async function buildOpenApiDocument(): Promise<OpenAPIV3_1.Document> {
  const log = createLogger('silent');
  const pool = createPool('postgres://unused@127.0.0.1:1/unused', { max: 1, log });
  const db = wrapPool(pool);
  const secretBox = createSecretBox([randomBytes(32)]);
  const verifier = createGroth16VerifierPool({ size: 1 });
  const objectsDir = await mkdtemp(path.join(tmpdir(), 'veridity-openapi-'));
  try {
    const app = await buildApp({
      config: { adminToken: undefined, bodyLimitBytes: 256 * 1024, trustProxy: false, redisUrl: undefined, publicRateLimitPerMinute: 100, http: DEFAULT_HTTP_LIMITS },
      log,
      clock: systemClock,
      pool,
      db,
      secretBox,
      platformKeys: createPlatformKeys({ db, secretBox }),
      storage: createFileStorage(objectsDir),
      verifier,
    });
    await app.ready();
    const document = app.swagger() as OpenAPIV3_1.Document;
    await app.close();
    return document;
  } finally {
    await Promise.all([verifier.close(), pool.end()]);
    await rm(objectsDir, { recursive: true, force: true });
  }
}
