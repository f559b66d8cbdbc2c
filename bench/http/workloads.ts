// The four workloads: which body and key each request sends, and which status it must get back.
// A "slot" is one (partner, proof) pair: a proof's nonce is single-use per partner, so every
// request that reaches the nonce check takes a slot of its own, never used again on that server.

export type WorkloadName = 'valid' | 'invalid' | 'mixed' | 'refused' | 'contended';

export const WORKLOADS: { name: WorkloadName; label: string }[] = [
  { name: 'valid', label: '(a) valid proofs' },
  { name: 'invalid', label: '(b) checked-but-invalid proofs' },
  { name: 'mixed', label: '(c) 95 % valid, 5 % invalid' },
  { name: 'refused', label: '(d) refused early (bad scope, malformed)' },
  { name: 'contended', label: '(e) half the clients: one partner flooding invalid proofs; the other half: valid proofs of other partners' },
];

/** The partner of workload (e)'s invalid flood; the valid requests' partners come from the slots (see slotCount). */
const FLOODING_PARTNER = 0;

/** Request bodies (JSON text, built once) and the partners' API keys: what the load generator sends. */
export type RequestFixtures = {
  apiKeys: string[];
  /** One verify body per pooled proof, and the same proof with a tampered point (pairing fails). */
  validBodies: string[];
  invalidBodies: string[];
  /** A well-formed body for a claim type the partners may not verify (403). */
  badScopeBody: string;
  /** A body the request schema refuses (400). */
  malformedBody: string;
};

/** `freshNonce`: the load generator gives the body a nonce never sent before (the flood needs no slots). */
export type PlannedRequest = { apiKey: string; body: string; expectedStatus: number; takesSlot: boolean; freshNonce?: boolean };

/** Slot k uses proof k mod P for partner floor(k / P): each pair once, until P x N slots are spent. */
export function slotCount(fixtures: RequestFixtures): number {
  return fixtures.validBodies.length * fixtures.apiKeys.length;
}

/** `client`: which of the run's closed-loop clients sends it (workload (e) gives half of them to the flood). */
export function planRequest(fixtures: RequestFixtures, workload: WorkloadName, slot: number, sequence: number, client: number): PlannedRequest {
  const proofs = fixtures.validBodies.length;
  const apiKey = fixtures.apiKeys[Math.floor(slot / proofs) % fixtures.apiKeys.length]!;
  const valid = { apiKey, body: fixtures.validBodies[slot % proofs]!, expectedStatus: 200, takesSlot: true };
  const invalid = { apiKey, body: fixtures.invalidBodies[slot % proofs]!, expectedStatus: 422, takesSlot: true };
  switch (workload) {
    case 'valid':
      return valid;
    case 'invalid':
      return invalid;
    case 'mixed':
      return slot % 20 === 19 ? invalid : valid; // 1 in 20
    case 'contended':
      // Slots start past the flooding partner's (the servers' warm-up takes the first ones).
      return client % 2 === 0
        ? { apiKey: fixtures.apiKeys[FLOODING_PARTNER]!, body: fixtures.invalidBodies[sequence % proofs]!, expectedStatus: 422, takesSlot: false, freshNonce: true }
        : valid;
    case 'refused': {
      const anyKey = fixtures.apiKeys[sequence % fixtures.apiKeys.length]!;
      return client % 2 === 0
        ? { apiKey: anyKey, body: fixtures.badScopeBody, expectedStatus: 403, takesSlot: false }
        : { apiKey: anyKey, body: fixtures.malformedBody, expectedStatus: 400, takesSlot: false };
    }
  }
}
