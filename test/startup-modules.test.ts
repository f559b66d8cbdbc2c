/**
 * What the server loads at start-up: the blockchain libraries (viem, @solana/kit, x402's EVM and
 * SVM schemes) load on first use only. They are ~600 modules, a third of the start-up of every
 * server process (and of every test file); a static import of one of them anywhere in the app's
 * graph brings all of them back.
 */
import assert from 'node:assert/strict';
import { registerHooks } from 'node:module';
import { test } from 'node:test';

test('serve (the API, the workers, the global manager) loads no blockchain library until one is used', async () => {
  const loaded: string[] = [];
  registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
  await import('#src/cli/serve.ts');
  const heavy = loaded.filter((url) => /\/node_modules\/(viem|@solana\/[^/]+|@x402\/(evm|svm))\//.test(url));
  assert.deepEqual(heavy, [], `loaded at start-up:\n${heavy.slice(0, 5).join('\n')}`);
  assert.ok(loaded.some((url) => url.endsWith('/src/app.ts')), 'the hook saw the app load');
});
