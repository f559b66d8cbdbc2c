import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { ASSET_PREFIX, createAssetLoader, type Asset } from './page-assets.ts';

/**
 * The page's Content-Security-Policy, stricter than the API default in every respect but
 * two that proving needs: snarkjs compiles WebAssembly ('wasm-unsafe-eval', which allows
 * WebAssembly compilation, not JavaScript eval), and its bundled ffjavascript starts its
 * prover threads as workers from blob: URLs it creates itself (they inherit this policy;
 * only script already running on the page can create a blob: URL). No inline script at all:
 * the page's code is served from ASSET_PREFIX. `connect-src 'self'`: the page can talk
 * to this platform only, so a credential cannot be sent anywhere else.
 */
export const HOLDER_PAGE_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
    workerSrc: ["'self'", 'blob:'],
    connectSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
    objectSrc: ["'none'"],
  },
};

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset) {
  reply.header('content-type', asset.contentType).header('etag', asset.etag).header('cache-control', 'no-cache');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.send(asset.body);
}

/**
 * `GET /prove`: a page where a holder pastes a credential and a proof request and proves
 * the claim in the browser (sdk/prover.ts); `GET /prove/assets/*`: its scripts and styles,
 * from a fixed allow-list (see page-assets.ts).
 */
export function registerHolderRoutes(app: FastifyInstance): void {
  const loader = createAssetLoader();

  app.get('/prove', { schema: { hide: true }, config: { access: access.public }, helmet: { contentSecurityPolicy: HOLDER_PAGE_CSP } }, async (request, reply) =>
    send(request, reply, await loader.page()),
  );

  app.get(`${ASSET_PREFIX}*`, { schema: { hide: true }, config: { access: access.public } }, async (request: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    const asset = loader.asset(request.params['*']);
    if (!asset) throw new ApiError('NOT_FOUND', 'no such asset');
    return send(request, reply, await asset);
  });
}
