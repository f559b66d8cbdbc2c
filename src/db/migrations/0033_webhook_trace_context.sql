-- OpenTelemetry (issue 17 part 6): the W3C trace context (`traceparent`, maybe `tracestate`) of
-- the request or job that wrote the event, so its delivery continues that trace. Null when
-- telemetry is off, and for the rows written before this column.
ALTER TABLE webhooks_outbox ADD COLUMN trace_context jsonb;
