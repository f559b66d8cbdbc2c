import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';

/** Where scripts/build-console.ts puts the built console (never committed). */
export const CONSOLE_DIST_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const CONSOLE_PREFIX = '/console/';

/** Vite names what it emits under assets/ after a hash of the content: a changed file gets a new name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The console's Content-Security-Policy: its own scripts and styles only (Vite emits no inline
 * script, and the theme is set before paint by a file, not an inline snippet), talking to this
 * server only, never framed. React's `style` props are set through the CSSOM, which
 * `style-src 'self'` allows; a `style="…"` attribute in markup would not be.
 */
export const CONSOLE_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    manifestSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    objectSrc: ["'none'"],
  },
};

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The built file a URL path names, or undefined: nothing outside the build, no dot files (the build stamp). */
function fileIn(distDir: string, relative: string): string | undefined {
  if (relative === '' || relative.split('/').some((segment) => segment.startsWith('.'))) return undefined;
  const file = path.join(distDir, relative);
  return file.startsWith(distDir) ? file : undefined;
}

/**
 * `GET /console/*`: the web console (web/, a single-page app) from its build. Hashed assets are
 * cached for a year; index.html and the few unhashed files are revalidated on every load (so a
 * new build shows at once); any other path is one of the app's routes and gets index.html,
 * whose router shows the page (or its own not-found page). Until the console is built, 503
 * with how to build it. Public: the app asks for sign-in itself, through the API.
 */
export async function registerConsoleRoutes(app: FastifyInstance, options: { distDir?: string } = {}): Promise<void> {
  const distDir = path.resolve(options.distDir ?? CONSOLE_DIST_DIR) + path.sep;
  const indexFile = path.join(distDir, 'index.html');
  const route = { schema: { hide: true }, config: { access: access.public }, helmet: { contentSecurityPolicy: CONSOLE_CSP } };

  // In a scope of its own: swagger-ui keeps its own @fastify/static, and each decorates `reply.sendFile`.
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, { root: distDir, serve: false, index: false, dotfiles: 'deny', cacheControl: false });

    const send = async (reply: FastifyReply, relative: string, cacheControl: string) => {
      reply.header('cache-control', cacheControl);
      return reply.sendFile(relative);
    };

    const serve = async (request: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
      if (!(await isFile(indexFile))) {
        throw new ApiError('NOT_READY', 'the console is not built: run `npm run build:console` (npm start builds it)', { reason: 'CONSOLE_NOT_BUILT' });
      }
      const relative = request.params['*'] ?? '';
      const file = fileIn(distDir, relative);
      if (relative.startsWith('assets/')) {
        // A missing hashed asset is a stale page asking for an old build's file: 404, not the app.
        if (!file || !(await isFile(file))) throw new ApiError('NOT_FOUND', `no console asset ${relative.slice(0, 200)}`);
        return send(reply, relative, IMMUTABLE);
      }
      if (file && (await isFile(file))) return send(reply, relative, 'no-cache');
      return send(reply, 'index.html', 'no-cache');
    };
    // The app's start, with or without the slash (the router takes trailing slashes as the same path).
    scope.get('/console', route, serve);
    scope.get(`${CONSOLE_PREFIX}*`, route, serve);
  });
}
