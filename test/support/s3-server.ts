import S3rver from 's3rver';
import type { S3Bucket } from '#src/config.ts';

export type S3Server = {
  /** The S3_* connection settings that reach it (as a process is configured). */
  env: Record<string, string>;
  /** The same, for `createS3Storage` in the test itself. */
  bucket(name: string): S3Bucket;
  close(): Promise<void>;
};

/** A real S3-compatible server (s3rver) on a free loopback port, `buckets` made, its data kept in `dir`. */
export async function startS3Server(dir: string, buckets: string[]): Promise<S3Server> {
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver checks signatures against its fixed development credentials.
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return {
    env: { S3_ENDPOINT: endpoint, S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: 'true', S3_ACCESS_KEY_ID: credentials.accessKeyId, S3_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    bucket: (name) => ({ bucket: name, region: 'us-east-1', endpoint, forcePathStyle: true, ...credentials }),
    close: () => server.close(),
  };
}
