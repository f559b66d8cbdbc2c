import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { Logger } from '#platform/logger.ts';
import { ApiError } from './errors.ts';

/** A hook that counts the request and answers 429 `RATE_LIMITED` once the window's quota is spent. */
export type RateLimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export type RateLimiting = {
  /**
   * For partner routes, placed in `preHandler` after partner authentication: one counter per
   * client id across every route it guards, `request.client.rateLimitPerMinute` per minute.
   */
  perClient: RateLimitHook;
  /** For agent routes, after agent authentication: one counter per agent, its partner's `rate_limit_per_minute`. */
  perAgent: RateLimitHook;
  /** For unauthenticated routes, placed in `onRequest`: one counter per client IP and route. */
  perIp: RateLimitHook;
  store: 'redis' | 'memory';
};

export type RateLimitingOptions = {
  /** Counters shared by every replica when set; in this process's memory otherwise. */
  redisUrl: string | undefined;
  /** Per IP and route, per minute. */
  ipMaxPerMinute?: number;
  log: Logger;
  /** Prefix of the Redis keys (tests use their own). */
  keyPrefix?: string;
};

const WINDOW_SECONDS = 60;
const DEFAULT_IP_MAX_PER_MINUTE = 60;
/** In-memory counters kept (LRU); beyond it the least recently seen keys start over. */
const MEMORY_KEYS = 50_000;

type CheckRateLimit = ReturnType<FastifyInstance['createRateLimit']>;

/**
 * Rate limits never make the API unavailable: a store that fails or is slower than this lets the
 * request through (logged), so a Redis outage costs limiting, not traffic.
 */
function connectRedis(url: string, log: Logger): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 500,
  });
  let healthy = true;
  redis.on('error', (error: Error) => {
    if (healthy) log.warn({ err: error }, 'rate-limit Redis unavailable: requests pass unlimited until it is back');
    healthy = false;
  });
  redis.on('ready', () => {
    if (!healthy) log.info('rate-limit Redis is back');
    healthy = true;
  });
  return redis;
}

/**
 * One @fastify/rate-limit registration per limiter, each in a scope of its own (the plugin
 * decorates its scope). `global: false` and `createRateLimit()` instead of route config: route
 * config would key the store per route and run in `onRequest`, before our authentication; a
 * checker called from our own hook counts per client across routes and runs where we place it.
 */
async function createChecker(
  app: FastifyInstance,
  settings: { nameSpace: string; redis: Redis | undefined; keyGenerator: (request: FastifyRequest) => string; max: (request: FastifyRequest) => number },
): Promise<CheckRateLimit> {
  let check: CheckRateLimit | undefined;
  await app.register(async (scope) => {
    await scope.register(rateLimit, {
      global: false,
      timeWindow: WINDOW_SECONDS * 1000,
      cache: MEMORY_KEYS,
      skipOnError: false,
      ...settings,
    });
    check = scope.createRateLimit();
  });
  return check!;
}

/**
 * Counts the request and sets the IETF draft headers (draft-ietf-httpapi-ratelimit-headers:
 * `RateLimit-Policy: "<policy>";q=<quota>;w=<window s>` and `RateLimit: "<policy>";r=<remaining>;t=<reset s>`);
 * over the quota, a 429 whose Retry-After the error handler sets from `retry_after_seconds`.
 */
function enforce(check: CheckRateLimit, policy: string): RateLimitHook {
  return async function rateLimitHook(request, reply) {
    let limit: Awaited<ReturnType<CheckRateLimit>>;
    try {
      limit = await check(request);
    } catch (error) {
      request.log.warn({ err: error }, 'rate-limit store failed: request let through');
      return;
    }
    if (limit.isAllowed) return;
    reply.header('ratelimit-policy', `"${policy}";q=${limit.max};w=${WINDOW_SECONDS}`);
    reply.header('ratelimit', `"${policy}";r=${limit.remaining};t=${limit.ttlInSeconds}`);
    if (limit.isExceeded) {
      throw new ApiError('RATE_LIMITED', `rate limit of ${limit.max} requests per ${WINDOW_SECONDS} s exceeded`, {
        retry_after_seconds: limit.ttlInSeconds,
      });
    }
  };
}

/**
 * Creates the per-client and per-IP limiters on `app` (before `app.ready()`), with a Redis store
 * when `redisUrl` is set. The Redis connection closes with the app.
 */
export async function registerRateLimiting(app: FastifyInstance, options: RateLimitingOptions): Promise<RateLimiting> {
  const redis = options.redisUrl ? connectRedis(options.redisUrl, options.log) : undefined;
  if (redis) {
    app.addHook('onClose', async () => redis.disconnect());
    // A wrong URL shows at start; the API still starts and limits once Redis answers.
    await redis.connect().catch((error: unknown) => options.log.error({ err: error }, 'rate-limit Redis unreachable at start'));
  }
  const prefix = options.keyPrefix ?? 'veridity:ratelimit:';
  const ipMax = options.ipMaxPerMinute ?? DEFAULT_IP_MAX_PER_MINUTE;

  const perClientCheck = await createChecker(app, {
    nameSpace: `${prefix}client:`,
    redis,
    keyGenerator: (request) => request.client!.id,
    max: (request) => request.client!.rateLimitPerMinute,
  });
  const perAgentCheck = await createChecker(app, {
    nameSpace: `${prefix}agent:`,
    redis,
    keyGenerator: (request) => request.agent!.id,
    max: (request) => request.agent!.rateLimitPerMinute,
  });
  const perIpCheck = await createChecker(app, {
    nameSpace: `${prefix}ip:`,
    redis,
    keyGenerator: (request) => `${normalizeIP(request.ip)} ${request.routeOptions.url ?? ''}`,
    max: () => ipMax,
  });

  const perClientHook = enforce(perClientCheck, 'per-client');
  const perAgentHook = enforce(perAgentCheck, 'per-agent');
  return {
    async perClient(request, reply) {
      if (!request.client) throw new Error('the per-client rate limit must run after partner authentication');
      return perClientHook(request, reply);
    },
    async perAgent(request, reply) {
      if (!request.agent) throw new Error('the per-agent rate limit must run after agent authentication');
      return perAgentHook(request, reply);
    },
    perIp: enforce(perIpCheck, 'per-ip'),
    store: redis ? 'redis' : 'memory',
  };
}
