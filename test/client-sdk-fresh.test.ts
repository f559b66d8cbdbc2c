/**
 * The client SDK's checked-in OpenAPI document and generated types are what the current code
 * produces: a route or schema change without `npm run generate:client` fails here (and so CI).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { CLIENT_FILES, renderClient } from '../scripts/generate-client.ts';

test('sdk/client/openapi.json and its generated sources match the current API', async () => {
  const rendered = await renderClient();
  for (const file of Object.keys(CLIENT_FILES) as Array<keyof typeof CLIENT_FILES>) {
    const committed = await readFile(CLIENT_FILES[file], 'utf8').catch(() => '');
    assert.ok(committed === rendered[file], `stale client (${CLIENT_FILES[file]}): run npm run generate:client`);
  }
});
