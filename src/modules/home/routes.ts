import type { FastifyInstance } from 'fastify';
import { access } from '#platform/http/route-access.ts';

/** Where a new user goes from here: the console, the API reference, the holder page, the raw document, health. */
const LINKS = [
  { href: '/console/', title: 'Console', text: 'operators and partners sign in here; anyone can check a receipt' },
  { href: '/docs', title: 'API reference', text: 'every endpoint, its errors and examples (OpenAPI 3.1)' },
  { href: '/prove', title: 'Prove a claim', text: 'the holder page: prove a credential claim in this browser' },
  { href: '/openapi.json', title: 'OpenAPI document', text: 'for client generators' },
  { href: '/readyz', title: 'Readiness', text: 'database reachable and migrations applied' },
] as const;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Veridity</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>Veridity</h1>
<p>Self-hosted verification of zero-knowledge proofs, TEE attestations and signed evidence.</p>
<ul>${LINKS.map((link) => `<li><a href="${link.href}">${link.title}</a>: ${link.text}</li>`).join('')}</ul>
</body></html>
`;

/** `GET /`: a page of links for a browser, the same links as JSON for anything else. */
export function registerHomeRoutes(app: FastifyInstance): void {
  app.get('/', { schema: { hide: true }, config: { access: access.public } }, async (request, reply) => {
    reply.header('cache-control', 'public, max-age=300').header('vary', 'accept');
    if ((request.headers.accept ?? '').includes('text/html')) return reply.type('text/html; charset=utf-8').send(PAGE);
    return { name: 'Veridity', links: Object.fromEntries(LINKS.map((link) => [link.href, link.title])) };
  });
}
