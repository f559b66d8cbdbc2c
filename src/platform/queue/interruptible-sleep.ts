/** Sleeps that a worker's stop() can cut short, so an idle poll loop stops at once. */
export function createInterruptibleSleep(): { sleep(ms: number): Promise<void>; wakeAll(): void } {
  const wakers = new Set<() => void>();
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, ms);
        wakers.add(wake);
      }),
    wakeAll() {
      for (const wake of wakers) wake();
    },
  };
}
