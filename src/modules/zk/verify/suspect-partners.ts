import type { Clock } from '#platform/clock.ts';

/**
 * Partners whose proofs mostly fail the Groth16 check lately (at least `minFailures`, and at least
 * `minFailureShare` of their proofs, within a window of `windowMs`). Their proofs are then checked
 * alone, not in batches shared with other partners: an invalid proof makes its batch fail and be
 * bisected, so a partner flooding bad proofs would otherwise slow everyone's. A partner with an
 * occasional failure keeps batching (alone, a proof costs more). Bounded: past `capacity` partners
 * the one seen least recently is forgotten.
 */
export type SuspectPartners = { has(clientId: string): boolean; record(clientId: string, valid: boolean): void };

type Tally = { windowStart: number; proofs: number; failures: number };

const DEFAULTS = { windowMs: 60_000, minFailures: 4, minFailureShare: 0.25, capacity: 10_000 };

export function createSuspectPartners(deps: { clock: Clock }, options: typeof DEFAULTS = DEFAULTS): SuspectPartners {
  const tallies = new Map<string, Tally>();
  const current = (clientId: string): Tally | undefined => {
    const tally = tallies.get(clientId);
    if (tally && tally.windowStart + options.windowMs <= deps.clock.now().getTime()) {
      // A new window starts where the last one left off: a flooding partner stays suspect.
      const stillSuspect = isSuspect(tally);
      tally.windowStart = deps.clock.now().getTime();
      tally.proofs = stillSuspect ? options.minFailures : 0;
      tally.failures = stillSuspect ? options.minFailures : 0;
    }
    return tally;
  };
  const isSuspect = (tally: Tally) => tally.failures >= options.minFailures && tally.failures >= tally.proofs * options.minFailureShare;
  return {
    has(clientId) {
      const tally = current(clientId);
      return tally !== undefined && isSuspect(tally);
    },
    record(clientId, valid) {
      const tally = current(clientId) ?? { windowStart: deps.clock.now().getTime(), proofs: 0, failures: 0 };
      tally.proofs += 1;
      if (!valid) tally.failures += 1;
      tallies.delete(clientId); // re-inserted last: Map order is the order of last use
      tallies.set(clientId, tally);
      if (tallies.size > options.capacity) tallies.delete(tallies.keys().next().value!);
    },
  };
}
