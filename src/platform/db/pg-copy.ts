import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { PoolClient } from './pool.ts';

/**
 * `COPY ... TO STDOUT` / `COPY ... FROM STDIN` streamed through the `pg` client, without
 * pg-copy-streams: `client.query` accepts any object with `submit(connection)` and hands it the
 * protocol messages of its query (the way pg's own Query and pg-copy-streams work).
 */
type Connection = {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: { pause(): void; resume(): void; writableNeedDrain: boolean; once(event: 'drain', listener: () => void): void };
};

type Handlers = { onCopyIn?(connection: Connection): void; onCopyData?(chunk: Buffer, connection: Connection): void; onReady(rows: number): void; onError(error: Error): void };

function runCopy(client: PoolClient, sql: string, handlers: Handlers): void {
  let failure: Error | undefined;
  let rows = 0;
  const submittable = {
    submit(connection: Connection) {
      connection.query(sql);
    },
    handleCopyInResponse(connection: Connection) {
      if (handlers.onCopyIn) handlers.onCopyIn(connection);
      else connection.sendCopyFail('not a COPY FROM STDIN');
    },
    handleCopyData(message: { chunk: Buffer }, connection: Connection) {
      handlers.onCopyData?.(message.chunk, connection);
    },
    handleCommandComplete(message: { text: string }) {
      rows = Number(/^COPY (\d+)/.exec(message.text)?.[1] ?? 0);
    },
    handleError(error: Error) {
      failure ??= error;
      handlers.onError(error);
    },
    handleReadyForQuery() {
      if (!failure) handlers.onReady(rows);
    },
    handleRowDescription() {},
    handleDataRow() {},
    handleEmptyQuery() {},
    handlePortalSuspended() {},
  };
  client.query(submittable as never);
}

/** Streams the output of `sql` (a `COPY ... TO STDOUT`) into `sink`, pausing the socket while the sink is full; ends the sink. */
export function copyOut(client: PoolClient, sql: string, sink: Writable): Promise<number> {
  return new Promise((resolve, reject) => {
    runCopy(client, sql, {
      onCopyData(chunk, connection) {
        // A copy: the chunk is a view of pg's read buffer, which it overwrites with later socket
        // data while this one may still wait in the sink's queue (backups came out corrupted).
        if (sink.write(Buffer.from(chunk))) return;
        connection.stream.pause();
        sink.once('drain', () => connection.stream.resume());
      },
      onReady(rows) {
        sink.end();
        finished(sink).then(() => resolve(rows), reject);
      },
      onError(error) {
        sink.destroy();
        reject(error);
      },
    });
  });
}

/** Streams `source` into `sql` (a `COPY ... FROM STDIN`), waiting for the socket to drain; the number of rows copied. */
export function copyIn(client: PoolClient, sql: string, source: Readable): Promise<number> {
  return new Promise((resolve, reject) => {
    runCopy(client, sql, {
      onCopyIn(connection) {
        source.on('data', (chunk: Buffer) => {
          connection.sendCopyFromChunk(chunk);
          if (!connection.stream.writableNeedDrain) return;
          source.pause();
          connection.stream.once('drain', () => source.resume());
        });
        source.once('end', () => connection.endCopyFrom());
        source.once('error', (error) => connection.sendCopyFail(`reading the input failed: ${error.message}`));
      },
      onReady: resolve,
      onError(error) {
        source.destroy();
        reject(error);
      },
    });
  });
}
