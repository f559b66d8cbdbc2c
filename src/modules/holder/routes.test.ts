import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerErrorHandling } from '#platform/http/error-handler.ts';
import { ASSET_PREFIX, SERVED_ASSETS } from './page-assets.ts';
import { registerHolderRoutes } from './routes.ts';

let app: FastifyInstance;

before(async () => {
  app = Fastify();
  registerErrorHandling(app);
  await app.register(helmet, { global: true }); // as in src/app.ts: the API default applies unless a route overrides it
  registerHolderRoutes(app);
  app.get('/elsewhere', async () => ({ ok: true }));
  await app.ready();
});
after(() => app.close());

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

function directives(header: unknown): Map<string, string[]> {
  return new Map(String(header).split(';').map((part) => part.trim().split(/\s+/)).filter((words) => words[0]).map(([name, ...values]) => [name!, values]));
}

// First in the file: Node warns once per process, so a later test would not see it.
test('serving the TypeScript modules prints no ExperimentalWarning (the type stripper is experimental)', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  try {
    const response = await get(`${ASSET_PREFIX}sdk/prover.ts`);
    assert.equal(response.statusCode, 200);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings.filter((warning) => warning.startsWith('ExperimentalWarning')), []);
  } finally {
    process.off('warning', onWarning);
  }
});

test('GET /prove: the page, under a strict CSP of its own with no inline script', async () => {
  const response = await get('/prove');
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^text\/html/);
  const csp = directives(response.headers['content-security-policy']);
  assert.deepEqual(csp.get('script-src'), ["'self'", "'wasm-unsafe-eval'"]);
  assert.deepEqual(csp.get('connect-src'), ["'self'"]);
  assert.deepEqual(csp.get('default-src'), ["'none'"]);
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
  for (const values of csp.values()) assert.ok(!values.includes("'unsafe-inline'") && !values.includes("'unsafe-eval'"));

  // Every <script> has a src (the CSP would block inline code anyway), and no handler attributes.
  const scripts = [...response.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length >= 2);
  for (const [, attributes, content] of scripts) {
    assert.match(attributes!, /\bsrc="/);
    assert.equal(content!.trim(), '');
  }
  assert.doesNotMatch(response.body, /\son[a-z]+=/i);

  // The other routes keep the API's default policy.
  const elsewhere = directives((await get('/elsewhere')).headers['content-security-policy']);
  assert.deepEqual(elsewhere.get('script-src'), ["'self'"]);
});

test('every file the page references is served, with a script or style content type', async () => {
  const page = (await get('/prove')).body;
  const references = [...page.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]!).filter((url) => !url.startsWith('data:'));
  assert.ok(references.length >= 3);
  for (const reference of references) {
    const response = await get(reference);
    assert.equal(response.statusCode, 200, reference);
    assert.match(String(response.headers['content-type']), /^text\/(javascript|css)/, reference);
  }
});

test('TypeScript modules are served as JavaScript whose relative imports all stay inside the allow-list', async () => {
  for (const [path, { kind }] of SERVED_ASSETS) {
    if (kind !== 'typescript') continue;
    const response = await get(`${ASSET_PREFIX}${path}`);
    assert.equal(response.statusCode, 200, path);
    assert.match(String(response.headers['content-type']), /^text\/javascript/);
    assert.doesNotMatch(response.body, /\bimport type\b|\bexport type\b/, `${path}: types stripped`);
    const specifiers = [...response.body.matchAll(/\b(?:from|import)\s*\(?\s*'([^']+)'/g)].map((match) => match[1]!);
    for (const specifier of specifiers) {
      if (specifier === 'snarkjs') continue; // the Node-only default of createProver; the page passes globalThis.snarkjs
      assert.ok(specifier.startsWith('.'), `${path} imports ${specifier}: a browser cannot resolve bare specifiers`);
      const resolved = new URL(specifier, `http://x${ASSET_PREFIX}${path}`).pathname.slice(ASSET_PREFIX.length);
      assert.ok(SERVED_ASSETS.has(resolved), `${path} imports ${resolved}, which is not served`);
    }
  }
});

test('only allow-listed files are served: no traversal, no other repository file', async () => {
  for (const url of [
    `${ASSET_PREFIX}../../package.json`,
    `${ASSET_PREFIX}%2e%2e/%2e%2e/package.json`,
    `${ASSET_PREFIX}..%2f..%2fpackage.json`,
    `${ASSET_PREFIX}src/config.ts`,
    `${ASSET_PREFIX}src/modules/zk/credentials/sign-credential.ts`,
    `${ASSET_PREFIX}node_modules/snarkjs/package.json`,
    `${ASSET_PREFIX}/etc/passwd`,
    `${ASSET_PREFIX}sdk/prover.ts/`,
    `${ASSET_PREFIX}`,
  ]) {
    const response = await get(url);
    assert.ok(response.statusCode === 404 || response.statusCode === 400, `${url} -> ${response.statusCode}`);
    assert.doesNotMatch(response.body, /"name"\s*:\s*"veridity"|root:/);
  }
});

test('assets carry an ETag and answer 304 to a matching If-None-Match', async () => {
  const first = await get(`${ASSET_PREFIX}snarkjs.min.js`);
  assert.equal(first.statusCode, 200);
  assert.ok(first.body.length > 100_000);
  const etag = String(first.headers.etag);
  const again = await get(`${ASSET_PREFIX}snarkjs.min.js`, { 'if-none-match': etag });
  assert.equal(again.statusCode, 304);
  assert.equal(again.body, '');
});
