import { SpanKind, SpanStatusCode, trace, type Attributes, type Link, type Span } from '@opentelemetry/api';
import type { StoredEvent } from '../eventStore/eventStore.ts';
import { contextOf, isTraceparent } from './traceparent.ts';
import { correlationIdAttribute, tracer } from './tracer.ts';

// Spans of the subscribers: work done later, because of events some request appended. One event
// (a reactor's effect, a job) continues that request's trace: its span is a child of the span that
// appended the event. A batch (a projection's) stems from many requests and belongs to none of them:
// its span starts a trace of its own and links to each request's.

/** OpenTelemetry's default limit of links per span; beyond it the SDK drops them anyway. */
const maxLinks = 128;

/** Runs `fn` in a span that joins the trace of the request that appended `event` (when it carried one). */
export const withEventSpan = async <T>(
  event: Pick<StoredEvent, 'eventId' | 'type' | 'position' | 'metadata'>,
  name: string,
  fn: (span: Span) => Promise<T>,
): Promise<T> => {
  const traceparent = event.metadata.traceparent;
  const parent = isTraceparent(traceparent) ? contextOf(traceparent) : undefined;
  const attributes: Attributes = {
    [correlationIdAttribute]: event.metadata.correlationId,
    'fastflix.event.id': event.eventId,
    'fastflix.event.type': event.type,
    'fastflix.event.position': event.position.toString(),
  };
  return parent === undefined
    ? tracer().startActiveSpan(name, { kind: SpanKind.CONSUMER, attributes }, (span) => settled(span, fn))
    : tracer().startActiveSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent, (span) => settled(span, fn));
};

/** Runs `fn` in a span of its own that links to the trace of every request among `events`. */
export const withBatchSpan = async <T>(
  name: string,
  events: readonly Pick<StoredEvent, 'metadata'>[],
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
): Promise<T> =>
  tracer().startActiveSpan(name, { kind: SpanKind.CONSUMER, attributes, root: true }, (span) => {
    // Links are read from the events only when the span records: with tracing off, nothing is scanned.
    if (span.isRecording()) span.addLinks(linksOf(events));
    return settled(span, fn);
  });

/** One link per distinct request trace, in log order, with the request's correlation id. */
export const linksOf = (events: readonly Pick<StoredEvent, 'metadata'>[]): Link[] => {
  const seen = new Set<string>();
  const links: Link[] = [];
  for (const event of events) {
    const traceparent = event.metadata.traceparent;
    if (!isTraceparent(traceparent) || seen.has(traceparent)) continue;
    seen.add(traceparent);
    const context = trace.getSpanContext(contextOf(traceparent));
    if (context === undefined) continue;
    links.push({ context, attributes: { [correlationIdAttribute]: event.metadata.correlationId } });
    if (links.length === maxLinks) break;
  }
  return links;
};

/** Ends the span with `fn`'s outcome: an error recorded and rethrown. */
export const settled = async <T>(span: Span, fn: (span: Span) => Promise<T>): Promise<T> => {
  try {
    return await fn(span);
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
};
