import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';

/**
 * `/docs`: Swagger UI, served from node_modules (no CDN), under Veridity's name and mark
 * instead of Fastify's. Its page loads scripts and styles from `/docs/static` only (no inline
 * script), and the logo and favicon are data: / same-origin images, so the policy below allows
 * exactly what it loads: no inline script, one hashed inline style, nothing from another origin.
 */

const VERIDITY_MARK = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 48" role="img" aria-label="Veridity">
<rect x="2" y="2" width="44" height="44" rx="10" fill="#1f4b99"/>
<path d="M12 24l8 9 16-18" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/>
<text x="58" y="33" font-family="Helvetica, Arial, sans-serif" font-size="26" font-weight="700" fill="#ffffff">Veridity API</text>
</svg>`;

const VERIDITY_FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48">
<rect x="2" y="2" width="44" height="44" rx="10" fill="#1f4b99"/>
<path d="M12 24l8 9 16-18" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/>
</svg>`;

/** The top bar in the mark's colour; the URL box is hidden (the page documents this server only). */
const THEME_CSS = `.swagger-ui .topbar { background-color: #12305f; }
.swagger-ui .topbar .download-url-wrapper { display: none; }`;

/**
 * Helmet's default policy, narrowed to what the page loads. Set by swagger-ui on its own routes
 * (replacing helmet's), so the API keeps its stricter default.
 */
export const DOCS_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // The hash: the one fixed <style> block Swagger UI's bundle (5.x, @fastify/swagger-ui 6.1.3) inserts, seen in
  // Chromium's CSP report. Another bundle version may need another hash: check /docs in a browser after an upgrade.
  "style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='",
  "img-src 'self' data:",
  "font-src 'self'",
  // Swagger UI fetches the document and sends "Try it out" requests to this origin only.
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

export const DOCS_PAGE_OPTIONS: FastifySwaggerUiOptions = {
  routePrefix: '/docs',
  staticCSP: DOCS_PAGE_CSP,
  logo: { type: 'image/svg+xml', content: Buffer.from(VERIDITY_MARK), href: '/docs', target: '_self' },
  theme: {
    title: 'Veridity API',
    css: [{ filename: 'veridity.css', content: THEME_CSS }],
    favicon: [{ filename: 'favicon.svg', rel: 'icon', sizes: 'any', type: 'image/svg+xml', content: Buffer.from(VERIDITY_FAVICON) }],
  },
  // No online validator badge (it would send the document to validator.swagger.io).
  validatorUrl: false,
  uiConfig: { deepLinking: true, displayOperationId: true, tryItOutEnabled: false },
};
