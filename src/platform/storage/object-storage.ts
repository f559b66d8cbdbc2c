import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import type { S3Bucket as S3Settings } from '#src/config.ts';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** Where artifacts and result documents live: the file system by default, or any S3-compatible store. */
export type ObjectStorage = {
  readonly backend: 'file' | 's3';
  /** The name partners and health checks see: the S3 bucket, or `local` (never the file-system path). */
  readonly bucket: string;
  put(key: string, body: Buffer, contentType: string): Promise<{ sha256: string }>;
  get(key: string): Promise<Buffer | undefined>;
  /** `put` of a file's content, streamed (backups of large tables never sit in memory). */
  putFile(key: string, file: string, contentType: string): Promise<void>;
  /** Writes the object into `file`, streamed; false when there is no such object. */
  getFile(key: string, file: string): Promise<boolean>;
  /** Removes the object; one that is not there is already removed (no error). */
  delete(key: string): Promise<void>;
  /** Every stored key that starts with `prefix` (all when empty), in no particular order (backups walk the store with it). */
  list(prefix?: string): Promise<string[]>;
};

/** NAME_MAX of the usual file systems: a longer segment fails with ENAMETOOLONG. */
const MAX_SEGMENT_BYTES = 255;
/** S3's limit on a whole key. */
const MAX_KEY_BYTES = 1024;

function assertSafeKey(key: string): void {
  const segments = key.split('/');
  if (
    !/^[A-Za-z0-9][A-Za-z0-9._\/-]*$/.test(key) ||
    Buffer.byteLength(key) > MAX_KEY_BYTES ||
    segments.some((part) => part === '..' || part === '.' || part === '' || Buffer.byteLength(part) > MAX_SEGMENT_BYTES)
  ) {
    throw new Error(`unsafe object key (letters, digits and . _ - in segments of at most ${MAX_SEGMENT_BYTES} bytes, ${MAX_KEY_BYTES} in all): ${key}`);
  }
}

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');

/** Objects hold result documents and evidence: owner-only, whatever the umask. */
const PRIVATE_FILE = 0o600;
const PRIVATE_DIRECTORY = 0o700;

/** Creates the missing directories up to `dir` 0700: recursive mkdir lets the umask decide their mode. */
async function makePrivateDirectory(dir: string): Promise<void> {
  const target = path.resolve(dir);
  const first = await mkdir(target, { recursive: true, mode: PRIVATE_DIRECTORY });
  if (first === undefined) return;
  for (let current = target; ; current = path.dirname(current)) {
    await chmod(current, PRIVATE_DIRECTORY);
    if (current === path.resolve(first) || current === path.dirname(current)) return;
  }
}

/** The name `put` writes an object under before renaming it: never listed. */
const TEMPORARY_NAME = /^\.[0-9a-f]{16}\.tmp$/;

export function createFileStorage(root: string): ObjectStorage {
  return {
    backend: 'file',
    bucket: 'local',
    async put(key, body) {
      assertSafeKey(key);
      const file = path.join(root, key);
      await makePrivateDirectory(path.dirname(file));
      // Write-then-rename: a reader never sees half an object. A short temporary name, so a key
      // segment of the longest allowed length still fits.
      const temp = path.join(path.dirname(file), `.${randomBytes(8).toString('hex')}.tmp`); // TEMPORARY_NAME
      await writeFile(temp, body, { mode: PRIVATE_FILE, flag: 'wx' });
      await chmod(temp, PRIVATE_FILE);
      await rename(temp, file);
      return { sha256: sha256(body) };
    },
    async putFile(key, source) {
      assertSafeKey(key);
      const file = path.join(root, key);
      await makePrivateDirectory(path.dirname(file));
      const temp = path.join(path.dirname(file), `.${randomBytes(8).toString('hex')}.tmp`); // TEMPORARY_NAME
      await copyFile(source, temp);
      await chmod(temp, PRIVATE_FILE);
      await rename(temp, file);
    },
    async getFile(key, file) {
      assertSafeKey(key);
      return copyFile(path.join(root, key), file).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return false;
          throw error;
        },
      );
    },
    async get(key) {
      assertSafeKey(key);
      return readFile(path.join(root, key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
    },
    async delete(key) {
      assertSafeKey(key);
      await unlink(path.join(root, key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },
    async list(prefix = '') {
      const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      });
      return entries
        .filter((entry) => entry.isFile() && !TEMPORARY_NAME.test(entry.name))
        .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
        .filter((key) => key.startsWith(prefix));
    },
  };
}


export function createS3Storage(settings: S3Settings): ObjectStorage {
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    // Not the SDK's default (WHEN_SUPPORTED): that uploads a stream (putFile) as aws-chunked with a
    // trailing CRC32, which an S3-compatible store without that encoding (s3rver) keeps as the
    // object's bytes, chunk framing included. Backups check their own SHA-256 sums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(settings.accessKeyId && settings.secretAccessKey
      ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
      : {}),
  });
  return {
    backend: 's3',
    bucket: settings.bucket,
    async put(key, body, contentType) {
      assertSafeKey(key);
      await client.send(new PutObjectCommand({ Bucket: settings.bucket, Key: key, Body: body, ContentType: contentType }));
      return { sha256: sha256(body) };
    },
    async putFile(key, file, contentType) {
      assertSafeKey(key);
      const { size } = await stat(file);
      await client.send(new PutObjectCommand({ Bucket: settings.bucket, Key: key, Body: createReadStream(file), ContentLength: size, ContentType: contentType }));
    },
    async getFile(key, file) {
      assertSafeKey(key);
      try {
        const result = await client.send(new GetObjectCommand({ Bucket: settings.bucket, Key: key }));
        await pipeline(result.Body as Readable, createWriteStream(file, { mode: PRIVATE_FILE }));
        return true;
      } catch (error) {
        if (error instanceof NoSuchKey) return false;
        throw error;
      }
    },
    async get(key) {
      assertSafeKey(key);
      try {
        const result = await client.send(new GetObjectCommand({ Bucket: settings.bucket, Key: key }));
        return Buffer.from(await result.Body!.transformToByteArray());
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },
    async delete(key) {
      assertSafeKey(key);
      // S3 answers 204 for a key that is not there too.
      await client.send(new DeleteObjectCommand({ Bucket: settings.bucket, Key: key }));
    },
    async list(prefix = '') {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: settings.bucket, Prefix: prefix || undefined, ContinuationToken: token }));
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
  };
}
