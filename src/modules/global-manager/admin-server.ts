import http from 'node:http';
import type client from 'prom-client';
import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import type { GlobalManager } from './global-manager.ts';
import { RUNNER_NAME } from './leader-lock.ts';
import { readGlobalManagerStatus } from './read-status.ts';
import { renderStatusPage } from './status-page.ts';

/** Cycles on the status page and in status.json. */
export const STATUS_CYCLES = 20;

/**
 * `veridity global-manager`'s admin port: `/` (HTML), `/status.json`, `/metrics`. No
 * authentication: it binds to loopback by default (GLOBAL_MANAGER_ADMIN_HOST), like a metrics port.
 */
export async function startAdminServer(options: { pool: Pool; clock: Clock; log: Logger; manager: GlobalManager; registry: client.Registry; host: string; port: number }): Promise<http.Server> {
  const status = async () => ({
    ...(await readGlobalManagerStatus(options.pool, options.clock.now(), { cycles: STATUS_CYCLES })),
    this_process: { runner: RUNNER_NAME, is_leader: options.manager.isLeader() },
  });
  const server = http.createServer((request, response) => {
    const path = request.url?.split('?')[0];
    const answer = async () => {
      if (request.method !== 'GET') return response.writeHead(405, { allow: 'GET' }).end();
      if (path === '/metrics') return response.writeHead(200, { 'content-type': options.registry.contentType }).end(await options.registry.metrics());
      if (path === '/status.json') return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await status()));
      if (path === '/') return response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(renderStatusPage(await status()));
      return response.writeHead(404).end();
    };
    answer().catch((error: unknown) => {
      options.log.warn({ err: error }, 'global manager status failed');
      if (!response.headersSent) response.writeHead(503).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return server;
}
