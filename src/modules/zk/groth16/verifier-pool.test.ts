import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import mcl from 'mcl-wasm';
import { loadFixtures } from './fixtures/load-fixtures.ts';
import { malformedCases } from './fixtures/malformed-cases.ts';
import { g2ToJson, proofPoints, rerandomise, twistPointOutsideSubgroup, withPoints } from './fixtures/tamper.ts';
import { initMcl } from './mcl-bn254.ts';
import { createGroth16VerifierPool } from './verifier-pool.ts';

const { verificationKey, proofs } = loadFixtures();
await initMcl(); // for the tamper helpers in this thread; the pool's workers have their own mcl

describe('Groth16 verifier pool', () => {
  const pool = createGroth16VerifierPool({ size: 2, maxBatchSize: 16, maxBatchDelayMs: 5 });
  after(() => pool.close());

  it('registers a key and reports its public signal count', async () => {
    assert.deepEqual(await pool.registerKey('fixture', verificationKey), { ok: true, value: { nPublic: 7 } });
    assert.deepEqual(await pool.registerKey('fixture-copy', verificationKey), { ok: true, value: { nPublic: 7 } });
  });

  it('rejects a malformed key or one with a G2 point outside the subgroup', async () => {
    const malformed = await pool.registerKey('bad', { ...verificationKey, IC: [] });
    assert.deepEqual(malformed.ok ? 'ok' : malformed.code, 'MALFORMED_KEY');
    const outsider = await pool.registerKey('bad', { ...verificationKey, vk_delta_2: g2ToJson(twistPointOutsideSubgroup()) });
    assert.deepEqual(outsider.ok ? 'ok' : outsider.code, 'POINT_NOT_IN_SUBGROUP');
    const unknown = await pool.verify('bad', proofs[0]!.proof, proofs[0]!.public_signals);
    assert.deepEqual(unknown.ok ? 'ok' : unknown.code, 'UNKNOWN_KEY');
  });

  it('batches concurrent calls and answers each one correctly', async () => {
    const before = pool.stats();
    const calls = Array.from({ length: 64 }, (_, i) => {
      const fixture = proofs[i % proofs.length]!;
      const keyId = i % 4 === 3 ? 'fixture-copy' : 'fixture';
      if (i % 9 === 4) {
        const { c } = proofPoints(fixture.proof);
        return { keyId, proof: withPoints(fixture.proof, { c: mcl.dbl(c) }), signals: fixture.public_signals, valid: false };
      }
      if (i % 9 === 7) return { keyId, proof: fixture.proof, signals: proofs[(i + 1) % proofs.length]!.public_signals, valid: false };
      if (i % 5 === 0) return { keyId, proof: rerandomise(fixture, verificationKey), signals: fixture.public_signals, valid: true };
      return { keyId, proof: fixture.proof, signals: fixture.public_signals, valid: true };
    });
    const results = await Promise.all(calls.map((call) => pool.verify(call.keyId, call.proof, call.signals)));
    assert.deepEqual(results, calls.map((call) => ({ ok: true, valid: call.valid })));

    const after = pool.stats();
    assert.equal(after.workers, 2);
    assert.equal(after.statements - before.statements, 64);
    assert.ok(after.batches - before.batches <= 8, `64 concurrent calls went out in ${after.batches - before.batches} batches`);
    assert.ok(after.largestBatch > 1);
  });

  it('answers the valid part of a failed batch while the rest is still being bisected', async () => {
    // 32 calls, the last two invalid (a lone one is located without bisecting): after the valid
    // first half is answered the worker still checks halves of 8, 4, 2 and 1 of the rest, long
    // enough to be seen pending even with the native pairing on a busy machine.
    const calls = Array.from({ length: 32 }, (_, i) => {
      const fixture = proofs[i % proofs.length]!;
      return { proof: fixture.proof, signals: i >= 30 ? proofs[(i + 1) % proofs.length]!.public_signals : fixture.public_signals };
    });
    const answered = new Set<number>();
    let pendingWhenFirstAnswered: number[] | undefined;
    const results = await Promise.all(
      calls.map(async (call, i) => {
        const result = await pool.verify('fixture', call.proof, call.signals);
        answered.add(i);
        // A turn of the event loop later: what the same message did not also answer.
        if (i === 0) setImmediate(() => (pendingWhenFirstAnswered = calls.map((_, j) => j).filter((j) => !answered.has(j))));
        return result;
      }),
    );
    assert.deepEqual(results, calls.map((_, i) => ({ ok: true, valid: i < 30 })));
    assert.ok(pendingWhenFirstAnswered?.includes(31), `the invalid proofs were still being found when the first were answered (pending then: ${pendingWhenFirstAnswered})`);
  });

  it('checks a call made alone in a batch of its own, beside shared batches', async () => {
    const before = pool.stats();
    const { c } = proofPoints(proofs[0]!.proof);
    const invalid = withPoints(proofs[0]!.proof, { c: mcl.dbl(c) });
    const shared = Array.from({ length: 12 }, (_, i) => pool.verify('fixture', proofs[i % proofs.length]!.proof, proofs[i % proofs.length]!.public_signals));
    const alone = Array.from({ length: 4 }, () => pool.verify('fixture', invalid, proofs[0]!.public_signals, { alone: true }));
    assert.deepEqual(await Promise.all(shared), shared.map(() => ({ ok: true, valid: true })));
    assert.deepEqual(await Promise.all(alone), alone.map(() => ({ ok: true, valid: false })));
    const after = pool.stats();
    // 4 batches of one, and the 12 shared calls in few batches that no invalid proof made fail.
    assert.ok(after.batches - before.batches >= 5 && after.batches - before.batches <= 8, `${after.batches - before.batches} batches`);
  });

  it('answers malformed input with the same codes as the in-thread path', async () => {
    const cases = malformedCases(proofs[0]!, g2ToJson(twistPointOutsideSubgroup()));
    const results = await Promise.all(cases.map((c) => pool.verify('fixture', c.proof, c.publicSignals)));
    assert.deepEqual(
      results.map((result) => (result.ok ? result : result.code)),
      cases.map((c) => c.code),
    );
  });

  it('starts workers while all are busy, up to size, and ends the extra ones when idle', async () => {
    const elastic = createGroth16VerifierPool({ size: 2, maxBatchSize: 4, maxBatchDelayMs: 1, idleMs: 1000 });
    try {
      await elastic.registerKey('fixture', verificationKey);
      const calls = Array.from({ length: 32 }, (_, i) => elastic.verify('fixture', proofs[i % proofs.length]!.proof, proofs[i % proofs.length]!.public_signals));
      assert.deepEqual(await Promise.all(calls), calls.map(() => ({ ok: true, valid: true })));
      // Counted, not sampled: on a loaded machine one of the two may already have ended after its idle second.
      assert.equal(elastic.stats().workersStarted, 2, 'a second worker started while the first was busy');
      while (elastic.stats().workers > 1) await new Promise((resolve) => setTimeout(resolve, 20));
      // The one left still knows the key; a new extra worker learns it before its first batch.
      const again = Array.from({ length: 32 }, (_, i) => elastic.verify('fixture', proofs[i % proofs.length]!.proof, proofs[i % proofs.length]!.public_signals));
      assert.deepEqual(await Promise.all(again), again.map(() => ({ ok: true, valid: true })));
    } finally {
      await elastic.close();
    }
  });

  it('shares a due batch with an idle worker, starting one for the next batches when none runs', async () => {
    const sharing = createGroth16VerifierPool({ size: 2, maxBatchSize: 16, maxBatchDelayMs: 20 });
    const eight = () => Array.from({ length: 8 }, (_, i) => sharing.verify('fixture', proofs[i % proofs.length]!.proof, proofs[i % proofs.length]!.public_signals));
    try {
      await sharing.registerKey('fixture', verificationKey);
      assert.deepEqual(await Promise.all(eight()), Array.from({ length: 8 }, () => ({ ok: true, valid: true })));
      assert.deepEqual(sharing.stats(), { workers: 2, workersStarted: 2, batches: 1, statements: 8, largestBatch: 8 }, 'the only worker took the batch; a second one was started');
      await sharing.registerKey('fixture-again', verificationKey); // answered by both: the second worker is ready
      assert.deepEqual(await Promise.all(eight()), Array.from({ length: 8 }, () => ({ ok: true, valid: true })));
      assert.deepEqual(sharing.stats(), { workers: 2, workersStarted: 2, batches: 3, statements: 16, largestBatch: 8 }, 'the next batch went half to each');
    } finally {
      await sharing.close();
    }
  });

  it('close() finishes queued calls, ends the workers and refuses new calls', async () => {
    const own = createGroth16VerifierPool({ size: 2 });
    await own.registerKey('fixture', verificationKey);
    assert.equal(own.stats().workers, 1, 'one worker runs from the start; more only under load');
    const queued = own.verify('fixture', proofs[1]!.proof, proofs[1]!.public_signals);
    await own.close();
    assert.deepEqual(await queued, { ok: true, valid: true });
    assert.equal(own.stats().workers, 0, 'every worker has exited');
    await assert.rejects(own.verify('fixture', proofs[1]!.proof, proofs[1]!.public_signals), /closed/);
    await assert.rejects(own.registerKey('other', verificationKey), /closed/);
  });
});
