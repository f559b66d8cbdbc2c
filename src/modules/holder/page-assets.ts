import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripTypes } from '#platform/process/strip-types.ts';

/**
 * The files the holder page loads, served under `/prove/assets/<path>` where `<path>` is the
 * file's place in the repository: browsers resolve our relative `./x.ts` imports to URLs
 * under the same prefix, so the TypeScript modules import each other unchanged. Only the
 * paths below are served (a fixed map: nothing derived from the URL reaches the file
 * system). TypeScript is turned into JavaScript with Node's own type stripping, which
 * blanks out the types in place (positions unchanged, so no source map is needed).
 * Every served module must be browser-safe: the credential helpers named here are pure.
 */
export const ASSET_PREFIX = '/prove/assets/';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// snarkjs's browser bundle: a classic script defining globalThis.snarkjs (no bare imports to resolve).
const SNARKJS_BROWSER_BUNDLE = path.join(path.dirname(createRequire(import.meta.url).resolve('snarkjs')), 'snarkjs.min.js');

type AssetKind = 'typescript' | 'javascript' | 'css' | 'html';

const CONTENT_TYPES: Record<AssetKind, string> = {
  typescript: 'text/javascript; charset=utf-8',
  javascript: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

const repoFile = (relative: string) => path.join(ROOT, relative);

/** The page itself (served at /prove). */
export const HOLDER_PAGE_FILE = repoFile('src/modules/holder/holder-page.html');

/** URL path below ASSET_PREFIX -> file. The closure of holder-page.ts's imports (checked by page-assets.test.ts). */
export const SERVED_ASSETS: ReadonlyMap<string, { file: string; kind: AssetKind }> = new Map([
  ['snarkjs.min.js', { file: SNARKJS_BROWSER_BUNDLE, kind: 'javascript' }],
  ...[
    'src/modules/holder/holder-page.css',
  ].map((relative): [string, { file: string; kind: AssetKind }] => [relative, { file: repoFile(relative), kind: 'css' }]),
  ...[
    'src/modules/holder/holder-page.ts',
    'sdk/prover.ts',
    'src/modules/zk/credentials/attributes.ts',
    'src/modules/zk/credentials/binding.ts',
    'src/modules/zk/credentials/build-witness-input.ts',
    'src/modules/zk/credentials/claim-types.ts',
    'src/modules/zk/credentials/credential-format.ts',
    'src/modules/zk/credentials/public-signals.ts',
    'src/modules/zk/credentials/result.ts',
    'src/modules/zk/credentials/sha256.ts',
  ].map((relative): [string, { file: string; kind: AssetKind }] => [relative, { file: repoFile(relative), kind: 'typescript' }]),
]);

export type Asset = { body: Buffer; contentType: string; etag: string };

async function load(file: string, kind: AssetKind): Promise<Asset> {
  const source = await readFile(file);
  const body = kind === 'typescript' ? Buffer.from(stripTypes(source.toString('utf8'))) : source;
  return { body, contentType: CONTENT_TYPES[kind], etag: `"${createHash('sha256').update(body).digest('base64url')}"` };
}

/**
 * Loads (and caches for the life of the process: the files ship with the release) the
 * page and its assets. A failed load is not cached, so a fixed file is served next time.
 */
export function createAssetLoader(): { page(): Promise<Asset>; asset(urlPath: string): Promise<Asset> | undefined } {
  const cache = new Map<string, Promise<Asset>>();
  const cached = (key: string, file: string, kind: AssetKind) => {
    let pending = cache.get(key);
    if (!pending) {
      pending = load(file, kind);
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
    }
    return pending;
  };
  return {
    page: () => cached('', HOLDER_PAGE_FILE, 'html'),
    asset(urlPath) {
      const entry = SERVED_ASSETS.get(urlPath);
      return entry && cached(urlPath, entry.file, entry.kind);
    },
  };
}
