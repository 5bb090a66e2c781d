import { context, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';

// W3C trace context (`traceparent`) in and out of event metadata. With no SDK registered the API's
// propagator is a no-op: nothing is injected, and events keep their four metadata fields.

const format = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A well-formed W3C traceparent header value (lower-case hex, version-traceid-spanid-flags). */
export const isTraceparent = (value: unknown): value is string => typeof value === 'string' && format.test(value);

/** The active span's context as a traceparent, or undefined when no span records (tracing off). */
export const currentTraceparent = (active: Context = context.active()): string | undefined => {
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  return isTraceparent(carrier.traceparent) ? carrier.traceparent : undefined;
};

/** The context a traceparent names, for a span that continues or links to it. */
export const contextOf = (traceparent: string): Context => propagation.extract(ROOT_CONTEXT, { traceparent });
