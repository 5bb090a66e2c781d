import { trace, type Tracer, type TracerProvider } from '@opentelemetry/api';

// The service's tracer, from the OpenTelemetry API, which answers with a no-op tracer until a provider
// is registered (startTracing.ts, only when OTEL_EXPORTER_OTLP_ENDPOINT is set): then every span below
// costs an allocation or two and records nothing.
//
// Looked up through the global provider rather than kept in a constant: unregistering (a test's
// `shutdown`) replaces the API's global proxy, and a tracer taken from the old one would keep
// delegating to the provider that was shut down. The lookup is cached for as long as the global
// provider stays the same.

let cached: { readonly provider: TracerProvider; readonly tracer: Tracer } | undefined;

export const tracer = (): Tracer => {
  const provider = trace.getTracerProvider();
  if (cached?.provider !== provider) cached = { provider, tracer: provider.getTracer('fastflix') };
  return cached.tracer;
};

/** The attribute every span of ours carries, so that a trace and the request's log lines meet. */
export const correlationIdAttribute = 'fastflix.correlation_id';
