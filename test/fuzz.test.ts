/**
 * A short, bounded fuzz run over every operation in /openapi.json: no request may answer 5xx.
 * The long run is `npm run fuzz -- --requests N --seed S`; FUZZ_SEED / FUZZ_REQUESTS change this one.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from './support/test-app.ts';
import { distinctFailures, formatFailure, prepareFuzzTarget, runFuzz } from './support/openapi-fuzzer.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_250_101);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1_500);

let t: TestApp;
before(async () => (t = await createTestApp({ bundledCircuits: true })));
after(async () => t?.close());

test(`${REQUESTS} mutated requests built from /openapi.json answer no 5xx (seed ${SEED})`, async (context) => {
  const { document, credentials } = await prepareFuzzTarget(t);
  const report = await runFuzz({ app: t.app, document, credentials, seed: SEED, requests: REQUESTS, logs: t.logs });
  context.diagnostic(`status codes: ${JSON.stringify(report.statusCounts)}`);
  if (report.unsendable.length > 0) context.diagnostic(`${report.unsendable.length} requests app.inject refused to send`);

  const distinct = distinctFailures(report.failures);
  assert.equal(
    report.failures.length,
    0,
    `${report.failures.length} requests answered 5xx (seed ${SEED}), ${distinct.length} distinct causes:\n` +
      distinct.map((group) => `[x${group.count}] ${group.key}\n${formatFailure(group.example)}`).join('\n\n') +
      `\n\nall of them:\n${report.failures.map((failure) => `#${failure.index} ${failure.method} ${failure.url} -> ${failure.status} (${failure.mutation})`).join('\n')}`,
  );

  // A 4xx must not log a stack trace: only the 5xx above may (one "unhandled error" each).
  const stackLines = t.logs().split('\n').filter((line) => line.includes('"stack"')).length;
  assert.ok(stackLines <= report.failures.length, `${stackLines} log lines carry a stack trace for ${report.failures.length} 5xx responses`);
});
