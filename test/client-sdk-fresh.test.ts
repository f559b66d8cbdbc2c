/**
 * The client SDK's checked-in OpenAPI document and generated sources are what the current code
 * produces: a route or schema change without `npm run generate:client` fails here (and so CI).
 * And the generator's document (built with no database) is the one a running server serves.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { CLIENT_FILES, renderClient } from '../scripts/generate-client.ts';
import { createTestApp } from './support/test-app.ts';

test('sdk/client/openapi.json and its generated sources match the current API', async () => {
  const rendered = await renderClient();
  for (const file of Object.keys(CLIENT_FILES) as Array<keyof typeof CLIENT_FILES>) {
    const committed = await readFile(CLIENT_FILES[file], 'utf8').catch(() => '');
    assert.ok(committed === rendered[file], `stale client (${CLIENT_FILES[file]}): run npm run generate:client`);
  }
});

test('the generated document is what GET /openapi.json serves', async () => {
  const t = await createTestApp();
  try {
    const served = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(served.statusCode, 200);
    assert.deepEqual(served.json(), JSON.parse(await readFile(CLIENT_FILES.document, 'utf8')));
  } finally {
    await t.close();
  }
});
