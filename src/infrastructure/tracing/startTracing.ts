import { context, propagation, trace } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../logging/logger.ts';

export interface RunningTracing {
  /** Sends the spans still buffered, then stops. */
  readonly shutdown: () => Promise<void>;
}

/**
 * Tracing for this process (or thread: a role's worker starts its own), exported over OTLP/HTTP to
 * OTEL_EXPORTER_OTLP_ENDPOINT (Jaeger in compose). Without that variable nothing is registered and
 * the SDK is not even loaded: every span of the service is then the API's no-op.
 */
export const startTracing = async (
  env: NodeJS.ProcessEnv,
  log: Logger,
  attributes: Record<string, string> = {},
): Promise<RunningTracing | undefined> => {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint === undefined || endpoint.trim() === '') return undefined;
  const [{ OTLPTraceExporter }, { BatchSpanProcessor }] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  // The exporter reads the endpoint (and OTEL_EXPORTER_OTLP_HEADERS and the like) from the environment.
  const provider = await registerTracing(
    [new BatchSpanProcessor(new OTLPTraceExporter())],
    env.OTEL_SERVICE_NAME ?? 'fastflix',
    attributes,
  );
  log.info({ endpoint }, 'tracing: spans exported over OTLP');
  return { shutdown: () => provider.shutdown() };
};

/**
 * Registers a tracer provider with these processors, W3C trace context propagation and an
 * AsyncLocalStorage context (so that a span started in a request is the parent of those its awaits
 * start). Tests pass an in-memory exporter's processor.
 */
export const registerTracing = async (
  processors: SpanProcessor[],
  serviceName: string,
  attributes: Record<string, string> = {},
): Promise<{ readonly shutdown: () => Promise<void> }> => {
  const [{ NodeTracerProvider }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, ...attributes }),
    spanProcessors: processors,
  });
  provider.register();
  return {
    shutdown: async () => {
      await provider.shutdown();
      // Back to the no-op API, so that a process (a test run) can register again.
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
};
