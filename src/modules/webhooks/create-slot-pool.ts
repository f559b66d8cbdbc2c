/** Attempt slots shared by a process's lanes: taken in bulk before a claim, given back one by one. */
export type SlotPool = {
  /** Waits until at least `least` slots are free (or all of them, if fewer), then takes up to `most`. */
  take(least: number, most: number): Promise<number>;
  give(count: number): void;
};

export function createSlotPool(size: number): SlotPool {
  let free = size;
  const waiting: Array<{ least: number; most: number; wake: (taken: number) => void }> = [];
  // Slots are handed over at wake-up, so a waiter woken in the same turn as another cannot find none.
  const handOver = () => {
    while (waiting.length > 0 && free >= waiting[0]!.least) {
      const waiter = waiting.shift()!;
      const taken = Math.min(waiter.most, free);
      free -= taken;
      waiter.wake(taken);
    }
  };
  return {
    take(least, most) {
      return new Promise((wake) => {
        waiting.push({ least: Math.min(least, size), most, wake });
        handOver();
      });
    },
    give(count) {
      free += count;
      handOver();
    },
  };
}
