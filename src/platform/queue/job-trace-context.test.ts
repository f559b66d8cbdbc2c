import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { z } from 'zod';
import { createLogger } from '#platform/logger.ts';
import { startTelemetry } from '#platform/telemetry/start-telemetry.ts';
import { captureTraceContext, shutdownTracing } from '#platform/telemetry/tracing.ts';
import { startOtlpReceiver, SPAN_KIND, type OtlpReceiver } from '#test/support/otlp-receiver.ts';
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts';
import { defineJob } from './job-definition.ts';
import { startQueue, type Queue } from './queue.ts';

const Traced = defineJob({ name: 'test.traced', schema: z.object({ n: z.number().int() }), retryLimit: 0 });
/** The same queue under a looser schema: a payload written by hand (or by another release). */
const Loose = defineJob({ name: Traced.name, schema: z.record(z.string(), z.unknown()), retryLimit: 0 });

let otlp: OtlpReceiver;
let database: TestDatabase;
let queue: Queue;
before(async () => {
  otlp = await startOtlpReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp.endpoint;
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
  assert.deepEqual(startTelemetry('veridity-test'), { ok: true });
  database = await createTestDatabase();
  queue = await startQueue({ connectionString: database.url, log: createLogger('silent'), schedule: false });
  await queue.register([Traced]);
});
after(async () => {
  await queue.stop({ graceful: false });
  await database.drop();
  await otlp.close();
});

test('a job runs in a span continuing the trace that enqueued it; a forged trace context is dropped, never handed to the handler', async () => {
  const handled: Array<{ data: unknown; traceparent: string | undefined }> = [];
  await queue.work(Traced, async (job) => {
    handled.push({ data: job.data, traceparent: captureTraceContext()?.traceparent });
  });

  const enqueuing = await trace.getTracer('test').startActiveSpan('enqueue', async (span) => {
    await queue.enqueue(Traced, { n: 1 });
    span.end();
    return span.spanContext();
  });
  await queue.enqueue(Loose, { n: 2, trace_context: { traceparent: 42 } });
  const deadline = Date.now() + 10_000;
  while (handled.length < 2) {
    assert.ok(Date.now() < deadline, 'timed out waiting for both jobs');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const first = handled.find((job) => (job.data as { n: number }).n === 1)!;
  assert.deepEqual(first.data, { n: 1 }, 'the handler gets the payload without the trace context');
  assert.match(first.traceparent ?? '', new RegExp(`^00-${enqueuing.traceId}-[0-9a-f]{16}-01$`));
  const forged = handled.find((job) => (job.data as { n: number }).n === 2)!;
  assert.deepEqual(forged.data, { n: 2 });
  assert.ok(forged.traceparent && !forged.traceparent.includes(enqueuing.traceId), 'a job without a usable context starts a trace of its own');

  await shutdownTracing();
  const processed = otlp.spans.filter((span) => span.name === 'process test.traced');
  assert.equal(processed.length, 2);
  const continued = processed.find((span) => span.traceId === enqueuing.traceId);
  assert.ok(continued, 'the job span is exported in the trace that enqueued it');
  assert.equal(continued.parentSpanId, enqueuing.spanId);
  assert.equal(continued.kind, SPAN_KIND.consumer);
  assert.equal(continued.service, 'veridity-test');
  assert.equal(continued.attributes['messaging.destination.name'], 'test.traced');
});
