/**
 * The seam between the code and OpenTelemetry. Nothing here imports an OpenTelemetry package:
 * `startTelemetry` (start-telemetry.ts, loaded by the command line only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set) installs the implementation; until then every helper is a
 * no-op and the SDK is never loaded. Global like the OpenTelemetry API it stands for: spans follow
 * the async context, not the dependencies passed down.
 */

/** A W3C trace context (`traceparent`, maybe `tracestate`): what a job or an outbox row carries to its consumer. */
export type TraceContext = Record<string, string>;

export type SpanAttributes = Record<string, string | number | boolean>;

export type SpanSpec = {
  /** `consumer`: work taken from a queue or an outbox; `internal`: work the process starts itself (a scheduled task). */
  kind: 'consumer' | 'internal';
  /** Continue this captured context; without one the span is a child of the active span (or a root). */
  parent?: TraceContext | undefined;
  attributes?: SpanAttributes;
};

/** What the work inside a span may add to it. */
export type SpanHandle = {
  setAttributes(attributes: SpanAttributes): void;
  /** An expected failure (a result union, not a throw): marks the span as an error. */
  fail(message: string): void;
};

export type Tracing = {
  /** The active span's trace context, or undefined outside any span. */
  capture(): TraceContext | undefined;
  /** Runs `work` in a new span, ended when it settles (an error status when it throws). */
  inSpan<T>(name: string, spec: SpanSpec, work: (span: SpanHandle) => Promise<T>): Promise<T>;
  /** `trace_id` and `span_id` of the active span, for log lines. */
  logFields(): { trace_id: string; span_id: string } | undefined;
  /** Names the active HTTP server span after the route Fastify matched (the instrumentation knows only the path). */
  describeServerRequest(request: { method: string; route: string | undefined; requestId: string }): void;
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
};

let installed: Tracing | undefined;

export function installTracing(tracing: Tracing): void {
  installed = tracing;
}

/** The installed tracing, or undefined when telemetry is off. */
export function activeTracing(): Tracing | undefined {
  return installed;
}

export function captureTraceContext(): TraceContext | undefined {
  return installed?.capture();
}

const NO_SPAN: SpanHandle = { setAttributes: () => {}, fail: () => {} };

/** `work` in a span when telemetry is on; just `work` otherwise. */
export function traced<T>(name: string, spec: SpanSpec, work: (span: SpanHandle) => Promise<T>): Promise<T> {
  return installed ? installed.inSpan(name, spec, work) : work(NO_SPAN);
}

/** Flushes and stops telemetry, once; nothing when it is off. */
export async function shutdownTracing(): Promise<void> {
  const stopping = installed;
  installed = undefined;
  await stopping?.shutdown();
}
