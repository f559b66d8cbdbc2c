import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSuspectPartners } from './suspect-partners.ts';

const OPTIONS = { windowMs: 1000, minFailures: 3, minFailureShare: 0.25, capacity: 2 };

function setup() {
  let now = Date.parse('2026-12-01T00:00:00Z');
  const suspects = createSuspectPartners({ clock: { now: () => new Date(now) } }, OPTIONS);
  const record = (clientId: string, valid: number, invalid: number) => {
    for (let i = 0; i < valid; i++) suspects.record(clientId, true);
    for (let i = 0; i < invalid; i++) suspects.record(clientId, false);
  };
  return { suspects, record, advance: (ms: number) => (now += ms) };
}

test('a partner whose proofs mostly fail is suspect; one with occasional failures is not', () => {
  const { suspects, record } = setup();
  record('cli_flood', 1, 3);
  record('cli_occasional', 20, 3);
  assert.equal(suspects.has('cli_flood'), true);
  assert.equal(suspects.has('cli_occasional'), false);
  assert.equal(suspects.has('cli_unknown'), false);
});

test('a suspect partner stays suspect into the next window while it keeps failing, and is cleared by valid proofs', () => {
  const { suspects, record, advance } = setup();
  record('cli_flood', 0, 5);
  advance(1001);
  assert.equal(suspects.has('cli_flood'), true);
  record('cli_flood', 20, 0);
  assert.equal(suspects.has('cli_flood'), false);
});

test('past capacity the partner seen least recently is forgotten', () => {
  const { suspects, record } = setup();
  record('cli_a', 0, 3);
  record('cli_b', 0, 3);
  record('cli_a', 0, 1);
  record('cli_c', 0, 3);
  assert.deepEqual(['cli_a', 'cli_b', 'cli_c'].map((id) => suspects.has(id)), [true, false, true]);
});
