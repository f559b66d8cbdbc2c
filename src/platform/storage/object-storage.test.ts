import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createFileStorage } from './object-storage.ts';

test('file storage round-trips objects and reports their hash', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'veridity-store-'));
  try {
    const storage = createFileStorage(root);
    const body = Buffer.from('artifact bytes');
    const { sha256 } = await storage.put('circuits/age_over_18/1.0.0/vkey.json', body, 'application/json');
    assert.equal(sha256, createHash('sha256').update(body).digest('hex'));
    assert.deepEqual(await storage.get('circuits/age_over_18/1.0.0/vkey.json'), body);
    assert.equal(await storage.get('circuits/missing'), undefined);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('keys cannot escape the storage root', async () => {
  const storage = createFileStorage('/nonexistent-root');
  for (const key of ['../etc/passwd', 'a/../../b', '/abs', 'a//b', './a']) {
    await assert.rejects(storage.get(key), /unsafe object key/);
  }
});
