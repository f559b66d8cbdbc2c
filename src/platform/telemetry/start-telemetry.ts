import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { context, isSpanContextValid, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { safeErrorMessage } from '#platform/serialize-error.ts';
import { installTracing, shutdownTracing, type SpanHandle, type TraceContext, type Tracing } from './tracing.ts';

/** Probes and scrapes: frequent, always the same, and no use in a trace. */
const UNTRACED_PATHS = new Set(['/healthz', '/health', '/readyz', '/metrics']);

export type TelemetryStart = { ok: true } | { ok: false; message: string };

/**
 * Starts the OpenTelemetry SDK for one process role (`serviceName`, unless OTEL_SERVICE_NAME names
 * it) and installs the tracing the code reaches through tracing.ts. Call it before the command's
 * modules are imported: the instrumentations patch `pg` and `node:http` as they are loaded.
 *
 * The SDK reads its configuration from the environment, as every OpenTelemetry SDK does: spans go
 * to the OTLP exporter the standard variables describe (OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf by default, or http/json) through a batch processor
 * (OTEL_BSP_*); OTEL_SDK_DISABLED, OTEL_TRACES_SAMPLER and OTEL_RESOURCE_ATTRIBUTES apply as usual.
 * Metrics stay with Prometheus (/metrics) and logs with pino: no OpenTelemetry metrics or logs.
 */
export function startTelemetry(serviceName: string): TelemetryStart {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '';
  if (!/^https?:$/.test(URL.parse(endpoint)?.protocol ?? '')) return { ok: false, message: `OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, got '${endpoint}'` };
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME || serviceName,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0]!),
        // Calls outside any request, job, delivery or task (background pollers) would each start a trace of their own.
        requireParentforOutgoingSpans: true,
      }),
      // Statement text only (placeholders, never values: enhancedDatabaseReporting stays off), and
      // only inside a request, a job, a delivery or a task: idle polling of the queue and the outbox is not traced.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  // Built-in modules are one object for every importer: requiring them here, through the
  // instrumented require, patches them also for the ES modules that import them (webhook delivery).
  const require = createRequire(import.meta.url);
  require('node:http');
  require('node:https');
  installTracing(tracingOn(sdk));
  // A run that ends by itself (WORKER_ONCE) exports what it traced before exiting; a stopped
  // process does so in onShutdownSignal.
  process.once('beforeExit', () => void shutdownTracing());
  return { ok: true };
}

function spanHandle(span: Span): SpanHandle {
  return {
    setAttributes: (attributes) => void span.setAttributes(attributes),
    fail: (message) => void span.setStatus({ code: SpanStatusCode.ERROR, message }),
  };
}

function tracingOn(sdk: NodeSDK): Tracing {
  const tracer = trace.getTracer('veridity');
  return {
    capture() {
      const carrier: TraceContext = {};
      propagation.inject(context.active(), carrier);
      return carrier.traceparent ? carrier : undefined;
    },
    inSpan(name, spec, work) {
      // A carried context is continued as it was; without one, the span joins whatever is active.
      const parent = spec.parent ? propagation.extract(ROOT_CONTEXT, spec.parent) : context.active();
      const kind = spec.kind === 'consumer' ? SpanKind.CONSUMER : SpanKind.INTERNAL;
      return tracer.startActiveSpan(name, { kind, attributes: spec.attributes ?? {} }, parent, async (span) => {
        try {
          return await work(spanHandle(span));
        } catch (error) {
          // The safe message: drizzle's raw one lists the query's parameters.
          span.setStatus({ code: SpanStatusCode.ERROR, message: (typeof error === 'object' && error !== null ? safeErrorMessage(error) : undefined) ?? String(error) });
          throw error;
        } finally {
          span.end();
        }
      });
    },
    logFields() {
      const spanContext = trace.getActiveSpan()?.spanContext();
      return spanContext && isSpanContextValid(spanContext) ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : undefined;
    },
    describeServerRequest({ method, route, requestId }) {
      const span = trace.getActiveSpan();
      if (!span) return;
      span.setAttribute('veridity.request_id', requestId);
      if (route === undefined) return;
      span.setAttribute('http.route', route);
      span.updateName(`${method} ${route}`);
    },
    async shutdown() {
      // A collector that is down must not turn a clean stop into a failed one.
      await sdk.shutdown().catch(() => {});
    },
  };
}
