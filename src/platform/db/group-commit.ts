/**
 * Group commit: concurrent callers' writes share one transaction. An item waits while
 * `maxInFlight` batches are already being written, and, with `gatherMs`, until the oldest queued
 * item has waited that long (by default no timer: a lone caller is written at once); then
 * everything queued so far, up to `maxBatch`, goes in the next batch. Under load a batch costs
 * one BEGIN/COMMIT and one round trip per statement for all its items instead of per item.
 * `gatherMs` is for writers whose callers arrive spread out but can wait (background jobs): without
 * it, each one finds the transactions idle and goes alone.
 *
 * `write` returns one result per item, in order, or throws for the whole batch. A failed batch of
 * several items is written again item by item, so an item that cannot be written (a constraint
 * it breaks, a bug) fails alone and the others still commit; a failure of one item alone reaches
 * its caller.
 */
export type GroupCommit<Item, Result> = { submit(item: Item): Promise<Result> };

type Waiting<Item, Result> = { item: Item; queuedAt: number; resolve(result: Result): void; reject(error: unknown): void };

export function createGroupCommit<Item, Result>(
  write: (items: Item[]) => Promise<Result[]>,
  options: { maxBatch: number; maxInFlight: number; gatherMs?: number },
): GroupCommit<Item, Result> {
  const gatherMs = options.gatherMs ?? 0;
  const queue: Waiting<Item, Result>[] = [];
  let inFlight = 0;
  let gathering: NodeJS.Timeout | undefined;

  const settle = async (batch: Waiting<Item, Result>[]): Promise<void> => {
    try {
      const results = await write(batch.map((waiting) => waiting.item));
      if (results.length !== batch.length) throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
      batch.forEach((waiting, index) => waiting.resolve(results[index]!));
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else for (const waiting of batch) await settle([waiting]);
    }
  };

  const pump = (): void => {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      const waitsMs = queue.length < options.maxBatch ? gatherMs - (performance.now() - queue[0]!.queuedAt) : 0;
      if (waitsMs > 0) {
        gathering ??= setTimeout(() => {
          gathering = undefined;
          pump();
        }, waitsMs);
        return;
      }
      const batch = queue.splice(0, options.maxBatch);
      inFlight++;
      void settle(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  };

  return {
    submit: (item) =>
      new Promise<Result>((resolve, reject) => {
        queue.push({ item, queuedAt: performance.now(), resolve, reject });
        pump();
      }),
  };
}
