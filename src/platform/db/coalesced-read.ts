import { resolveInOrder } from './resolve-in-order.ts';

/**
 * Reads that concurrent callers ask for in the same turn of the event loop go to the database as
 * one query: requests that arrive together (as they do under load) cost one round trip between
 * them instead of one each. The batch leaves in the same turn's check phase (setImmediate), so a
 * lone caller waits for no timer.
 *
 * `read` answers one row per key, in the keys' order; if it throws, or answers another number of
 * rows, every caller of that batch gets the error.
 */
export type CoalescedRead<Key, Row> = (key: Key) => Promise<Row>;

type Waiting<Key, Row> = { key: Key; resolve(row: Row): void; reject(error: unknown): void };

export function createCoalescedRead<Key, Row>(read: (keys: Key[]) => Promise<Row[]>, options: { maxBatch: number }): CoalescedRead<Key, Row> {
  let waiting: Waiting<Key, Row>[] = [];

  const settle = async (batch: Waiting<Key, Row>[]): Promise<void> => {
    try {
      resolveInOrder(batch, await read(batch.map((item) => item.key)), 'coalesced read');
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  };

  const flush = (): void => {
    const all = waiting;
    waiting = [];
    for (let start = 0; start < all.length; start += options.maxBatch) void settle(all.slice(start, start + options.maxBatch));
  };

  return (key) =>
    new Promise<Row>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ key, resolve, reject });
    });
}
