import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import * as canonicalizeModule from 'canonicalize';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { encodeEvent, firstBrokenLink } from '../../../src/infrastructure/eventStore/envelope.ts';
import { InvalidEventError } from '../../../src/infrastructure/eventStore/errors.ts';
import type { EventToAppend, StoredEvent } from '../../../src/infrastructure/eventStore/eventStore.ts';
import { createMemoryEventStore } from '../../../src/infrastructure/eventStore/memory/memoryEventStore.ts';
import { streamName } from '../../../src/infrastructure/eventStore/streamName.ts';
import { linksOf, withEventSpan } from '../../../src/infrastructure/tracing/eventSpans.ts';
import { registerTracing } from '../../../src/infrastructure/tracing/startTracing.ts';
import { tracedEventStore } from '../../../src/infrastructure/tracing/tracedEventStore.ts';

const reference = canonicalizeModule.default as unknown as (value: unknown) => string;
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;

const event = (metadata: Partial<EventToAppend['metadata']> = {}): EventToAppend => ({
  eventId: randomUUID(),
  type: 'MovieRated',
  schemaVersion: 1,
  data: { score: 4 },
  metadata: { occurredAt: '2026-12-04T20:00:00.000Z', actorId: 'u1', correlationId: 'req-1', causationId: null, ...metadata },
});

describe('the trace context in event metadata', () => {
  const stream = streamName('viewer', randomUUID());

  it('is hashed as canonical JSON with the rest of the metadata', () => {
    const traced = event({ traceparent });
    expect(encodeEvent(stream, traced).metadataJson).to.equal(reference(traced.metadata));
  });

  it('is hashed in canonical order beside the bulk-load flag', () => {
    const both = event({ traceparent, bulk: true });
    expect(encodeEvent(stream, both).metadataJson).to.equal(reference(both.metadata));
  });

  it('leaves the metadata of an event without one exactly as it was hashed before traces existed', () => {
    const plain = event();
    expect(encodeEvent(stream, plain).metadataJson).to.equal(
      '{"actorId":"u1","causationId":null,"correlationId":"req-1","occurredAt":"2026-12-04T20:00:00.000Z"}',
    );
    expect(encodeEvent(stream, { ...plain, metadata: { ...plain.metadata, traceparent: undefined } }).metadataJson).to.equal(
      encodeEvent(stream, plain).metadataJson,
    );
  });

  it('is kept by the store, and the chain breaks when it is changed afterwards', async () => {
    const store = createMemoryEventStore();
    await store.appendToStream(stream, [event({ traceparent }), event()]);
    const stored = await store.readStream(stream);
    expect(stored.map((each) => each.metadata.traceparent)).to.deep.equal([traceparent, undefined]);
    expect(firstBrokenLink(stored)).to.equal(undefined);
    const [first, second] = stored as [StoredEvent, StoredEvent];
    const forged = { ...first, metadata: { ...first.metadata, traceparent: `00-${traceId}-1111111111111111-01` } };
    expect(firstBrokenLink([forged, second])).to.equal(0n);
  });

  for (const bad of ['', 'not-a-traceparent', `00-${traceId.toUpperCase()}-00f067aa0ba902b7-01`, `00-${traceId}-00f067aa0ba902b7`, 42]) {
    it(`refuses ${JSON.stringify(bad)} as a traceparent, writing nothing`, async () => {
      const store = createMemoryEventStore();
      const appended = store.appendToStream(stream, [{ ...event(), metadata: { ...event().metadata, traceparent: bad as string } }]);
      const error: unknown = await appended.then(
        () => undefined,
        (refusal: unknown) => refusal,
      );
      expect(error).to.be.instanceOf(InvalidEventError);
      expect(String((error as Error).message)).to.include('metadata.traceparent must be a W3C traceparent');
      expect(await store.readStream(stream)).to.deep.equal([]);
    });
  }

  it('is not added when tracing is off: the events are appended as the caller made them', async () => {
    const store = tracedEventStore(createMemoryEventStore());
    await store.appendToStream(stream, [event()]);
    const [stored] = await store.readStream(stream);
    expect(Object.keys(stored?.metadata ?? {})).to.have.members(['occurredAt', 'actorId', 'correlationId', 'causationId']);
  });

  describe('with tracing on', () => {
    const exporter = new InMemorySpanExporter();
    let tracing: { shutdown: () => Promise<void> };
    before(async () => (tracing = await registerTracing([new SimpleSpanProcessor(exporter)], 'fastflix-unit')));
    after(() => tracing.shutdown());

    it("joins a subscriber's span to the trace of the event's request, with its correlation id", async () => {
      const stored = { eventId: randomUUID(), type: 'MovieRated', position: 7n, metadata: event({ traceparent }).metadata };
      const answer = await withEventSpan(stored, 'reactor welcome-mail', () => Promise.resolve('sent'));
      expect(answer).to.equal('sent');
      const span = exporter.getFinishedSpans().find((each) => each.name === 'reactor welcome-mail');
      expect(span?.spanContext().traceId).to.equal(traceId);
      expect(span?.parentSpanContext?.spanId).to.equal('00f067aa0ba902b7');
      expect(span?.attributes['fastflix.correlation_id']).to.equal('req-1');
      expect(span?.attributes['fastflix.event.position']).to.equal('7');
    });

    it('starts a trace of its own for an event appended without tracing, and records a failure', async () => {
      const stored = { eventId: randomUUID(), type: 'MovieRated', position: 8n, metadata: event().metadata };
      const failed = await withEventSpan(stored, 'job trending', () => Promise.reject(new Error('mail server down'))).catch(
        (error: unknown) => error,
      );
      expect(failed).to.be.instanceOf(Error);
      const span = exporter.getFinishedSpans().find((each) => each.name === 'job trending');
      expect(span?.parentSpanContext).to.equal(undefined);
      expect(span?.status.code).to.equal(2);
      expect(span?.events.map((each) => each.name)).to.include('exception');
    });

    it('links a batch to each request once, skipping events without a trace', () => {
      const other = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
      const links = linksOf(
        [event({ traceparent }), event(), event({ traceparent }), event({ traceparent: other })].map(({ metadata }) => ({ metadata })),
      );
      expect(links.map((link) => link.context.traceId)).to.deep.equal([traceId, '1'.repeat(32)]);
    });
  });
});
