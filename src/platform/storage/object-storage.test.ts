import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startS3Server } from '#test/support/s3-server.ts';
import { createFileStorage, createS3Storage } from './object-storage.ts';

test('file storage round-trips objects, reports their hash and deletes them', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'veridity-store-'));
  try {
    const storage = createFileStorage(root);
    const body = Buffer.from('artifact bytes');
    const { sha256 } = await storage.put('circuits/age_over_18/1.0.0/vkey.json', body, 'application/json');
    assert.equal(sha256, createHash('sha256').update(body).digest('hex'));
    assert.deepEqual(await storage.get('circuits/age_over_18/1.0.0/vkey.json'), body);
    assert.equal(await storage.get('circuits/missing'), undefined);
    await storage.delete('circuits/age_over_18/1.0.0/vkey.json');
    assert.equal(await storage.get('circuits/age_over_18/1.0.0/vkey.json'), undefined, 'deleted');
    await storage.delete('circuits/age_over_18/1.0.0/vkey.json'); // a missing object is already deleted
    await assert.rejects(storage.delete('../outside'), /unsafe object key/);
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

test('objects are written 0600 in directories 0700, whatever the umask', async () => {
  const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-store-'));
  const previous = process.umask(0o000);
  try {
    const root = path.join(scratch, 'objects');
    const storage = createFileStorage(root);
    await storage.put('attestation-results/2025/tsk_1.json', Buffer.from('{}'), 'application/json');
    await storage.put('attestation-results/2025/tsk_1.json', Buffer.from('{"again":true}'), 'application/json');
    const mode = async (relative: string) => (await stat(path.join(root, relative))).mode & 0o777;
    assert.equal(await mode('attestation-results/2025/tsk_1.json'), 0o600);
    for (const dir of ['', 'attestation-results', 'attestation-results/2025']) assert.equal(await mode(dir), 0o700, `directory '${dir}'`);
  } finally {
    process.umask(previous);
    await rm(scratch, { recursive: true, force: true });
  }
});

test('a key segment over 255 bytes or a key over 1024 bytes is an unsafe key, not a file-system error', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'veridity-store-'));
  try {
    const storage = createFileStorage(root);
    await storage.put(`a/${'b'.repeat(255)}`, Buffer.from('x'), 'application/octet-stream');
    await assert.rejects(storage.put(`a/${'b'.repeat(256)}`, Buffer.from('x'), 'application/octet-stream'), /unsafe object key/);
    await assert.rejects(storage.get('c'.repeat(300)), /unsafe object key/);
    const long = Array.from({ length: 5 }, () => 'd'.repeat(250)).join('/');
    await assert.rejects(storage.put(long, Buffer.from('x'), 'application/octet-stream'), /unsafe object key/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('file storage lists every stored key (by prefix), never a half-written temporary file', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'veridity-list-'));
  try {
    const storage = createFileStorage(root);
    assert.deepEqual(await createFileStorage(path.join(root, 'absent')).list(), []);
    await storage.put('a/one.json', Buffer.from('1'), 'application/json');
    await storage.put('b/two.json', Buffer.from('2'), 'application/json');
    await writeFile(path.join(root, 'a', '.0123456789abcdef.tmp'), 'partial');
    assert.deepEqual((await storage.list()).sort(), ['a/one.json', 'b/two.json']);
    assert.deepEqual(await storage.list('b/'), ['b/two.json']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('S3 storage against an S3-compatible server: a streamed file is stored byte for byte; missing keys, listing, deleting', async () => {
  const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-s3-'));
  const server = await startS3Server(path.join(scratch, 's3'), ['objects']);
  try {
    const storage = createS3Storage(server.bucket('objects'));
    const file = path.join(scratch, 'table.copy');
    const content = Buffer.alloc(200_000, 7);
    await writeFile(file, content);
    await storage.putFile('backup/tables/public.proofs.copy', file, 'application/octet-stream');
    assert.deepEqual(await storage.get('backup/tables/public.proofs.copy'), content, 'no chunk framing in the object');
    const copy = path.join(scratch, 'copy');
    assert.equal(await storage.getFile('backup/tables/public.proofs.copy', copy), true);
    assert.deepEqual(await readFile(copy), content);
    await storage.put('a/one.json', Buffer.from('1'), 'application/json');
    assert.equal(await storage.get('a/missing.json'), undefined);
    assert.equal(await storage.getFile('a/missing.json', copy), false);
    assert.deepEqual((await storage.list()).sort(), ['a/one.json', 'backup/tables/public.proofs.copy']);
    assert.deepEqual(await storage.list('a/'), ['a/one.json']);
    await storage.delete('a/one.json');
    await storage.delete('a/one.json');
    assert.deepEqual(await storage.list('a/'), []);
  } finally {
    await server.close();
    await rm(scratch, { recursive: true, force: true });
  }
});
