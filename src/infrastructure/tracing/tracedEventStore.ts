import { SpanKind } from '@opentelemetry/api';
import type { EventStore, EventToAppend } from '../eventStore/eventStore.ts';
import { settled } from './eventSpans.ts';
import { currentTraceparent } from './traceparent.ts';
import { correlationIdAttribute, tracer } from './tracer.ts';

/**
 * The store with a span around every append, and the append's trace context written into the
 * metadata of the events it appends (when tracing is on and the caller has not set one), so that
 * whoever handles them later can join the request's trace (eventSpans.ts). Reads pass through:
 * they are many and short, and a command's span already covers its read.
 */
export const tracedEventStore = (store: EventStore): EventStore => ({
  ...store,
  appendToStream: (stream, events, options) =>
    tracer().startActiveSpan(
      'eventStore.append',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'fastflix.stream': stream,
          'fastflix.event.count': events.length,
          ...(events[0] === undefined ? {} : { [correlationIdAttribute]: events[0].metadata.correlationId }),
        },
      },
      (span) =>
        settled(span, async () => {
          const traceparent = span.isRecording() ? currentTraceparent() : undefined;
          const result = await store.appendToStream(
            stream,
            traceparent === undefined ? events : events.map(withTrace(traceparent)),
            options,
          );
          if (result.position !== null) span.setAttribute('fastflix.event.position', result.position.toString());
          span.setAttribute('fastflix.appended', result.appended);
          return result;
        }),
    ),
});

const withTrace =
  (traceparent: string) =>
  (event: EventToAppend): EventToAppend =>
    event.metadata.traceparent === undefined ? { ...event, metadata: { ...event.metadata, traceparent } } : event;
