import { resolveInOrder } from './resolve-in-order.ts';

/**
 * Group commit: concurrent callers' writes share one transaction. An item waits while
 * `maxInFlight` batches are already being written; then everything queued so far, up to
 * `maxBatch`, goes in the next batch. Under load a batch costs one BEGIN/COMMIT and one round
 * trip per statement for all its items instead of per item.
 *
 * Callers that arrive spread out (each finding the transactions idle, so each going alone) can
 * announce an item still being prepared: while announced items are outstanding, a batch waits up
 * to `gatherMs` (from its oldest item) for them. With nothing announced there is no timer: a lone
 * caller is written at once.
 *
 * `write` returns one result per item, in order, or throws for the whole batch. A failed batch of
 * several items is written again item by item, so an item that cannot be written (a constraint
 * it breaks, a bug) fails alone and the others still commit; a failure of one item alone reaches
 * its caller.
 */
export type GroupCommit<Item, Result> = {
  submit(item: Item): Promise<Result>;
  /** An item to come: submit it through the announcement, or withdraw it (a no-op once submitted). */
  announce(): AnnouncedItem<Item, Result>;
};

export type AnnouncedItem<Item, Result> = { submit(item: Item): Promise<Result>; withdraw(): void };

type Waiting<Item, Result> = { item: Item; queuedAt: number; resolve(result: Result): void; reject(error: unknown): void };

export function createGroupCommit<Item, Result>(
  write: (items: Item[]) => Promise<Result[]>,
  options: { maxBatch: number; maxInFlight: number; gatherMs?: number },
): GroupCommit<Item, Result> {
  const gatherMs = options.gatherMs ?? 0;
  const queue: Waiting<Item, Result>[] = [];
  let inFlight = 0;
  let announced = 0;
  let gathering: NodeJS.Timeout | undefined;

  const settle = async (batch: Waiting<Item, Result>[]): Promise<void> => {
    try {
      resolveInOrder(batch, await write(batch.map((waiting) => waiting.item)), 'group commit');
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else for (const waiting of batch) await settle([waiting]);
    }
  };

  const pump = (): void => {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      const waitsMs = announced > 0 && queue.length < options.maxBatch ? gatherMs - (performance.now() - queue[0]!.queuedAt) : 0;
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

  const submit = (item: Item) =>
    new Promise<Result>((resolve, reject) => {
      queue.push({ item, queuedAt: performance.now(), resolve, reject });
      pump();
    });

  return {
    submit,
    announce() {
      announced++;
      let outstanding = true;
      const settleAnnouncement = () => {
        if (!outstanding) return false;
        outstanding = false;
        announced--;
        return true;
      };
      return {
        submit: (item) => {
          settleAnnouncement();
          return submit(item);
        },
        withdraw: () => {
          if (settleAnnouncement()) pump(); // queued items may have been waiting for this one
        },
      };
    },
  };
}
