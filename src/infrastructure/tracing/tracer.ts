import { trace } from '@opentelemetry/api';

// The one tracer of the service. Taken from the OpenTelemetry API, which answers with a no-op tracer
// until a provider is registered (startTracing.ts, only when OTEL_EXPORTER_OTLP_ENDPOINT is set): then
// every span below costs an allocation or two and records nothing.

export const tracer = trace.getTracer('fastflix');

/** The attribute every span of ours carries, so that a trace and the request's log lines meet. */
export const correlationIdAttribute = 'fastflix.correlation_id';
