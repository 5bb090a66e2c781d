import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { defineEvent, type EventOf } from '../../../src/domain/shared/eventDefinition.ts';
import { InvalidEventError } from '../../../src/infrastructure/eventStore/errors.ts';
import { eventRegistry } from '../../../src/infrastructure/eventStore/eventRegistry.ts';
import { createMemoryEventStore } from '../../../src/infrastructure/eventStore/memory/memoryEventStore.ts';
import { streamName } from '../../../src/infrastructure/eventStore/streamName.ts';
import { appendTyped } from '../../../src/infrastructure/eventStore/typedAppend.ts';

// A rating event whose shape changed: version 1 stored `stars` (1–10), version 2 stores `score`
// (0.5–5 in half stars) and `source`. Version 1 events stay as stored; they are upcast on read.
const HalfStars = t.refinement(t.number, (n) => n >= 0.5 && n <= 5 && Number.isInteger(n * 2), 'a score from 0.5 to 5 in half stars');
const Rated = defineEvent('Rated', t.type({ movieId: t.string, score: HalfStars, source: t.string }), {
  schemaVersion: 2,
  upcasters: { 1: (v1) => ({ movieId: v1.movieId ?? null, score: Number(v1.stars) / 2, source: 'unknown' }) },
});
const Noted = defineEvent('Noted', t.type({ text: t.string }));
const registry = eventRegistry([Rated, Noted]);
type Event = EventOf<typeof Rated> | EventOf<typeof Noted>;

const metadata = { occurredAt: '2026-01-01T00:00:00.000Z', actorId: null, correlationId: 'c', causationId: null };

describe('the event registry', () => {
  it('reads an event stored at an older version as the current shape, without rewriting it', async () => {
    const store = createMemoryEventStore();
    const stream = streamName('movie', randomUUID());
    await store.appendToStream(stream, [
      { eventId: randomUUID(), type: 'Rated', schemaVersion: 1, data: { movieId: 'm1', stars: 7 }, metadata },
    ]);
    const [stored] = await store.readStream(stream);
    const decoded = registry.decode(stored!);
    expect(E.isRight(decoded) && decoded.right.data).to.deep.equal({ movieId: 'm1', score: 3.5, source: 'unknown' });
    expect(E.isRight(decoded) && decoded.right.storedSchemaVersion).to.equal(1);
    expect((await store.readStream(stream))[0]?.data).to.deep.equal({ movieId: 'm1', stars: 7 });
  });

  it('stores new events at the current version', async () => {
    const store = createMemoryEventStore();
    const stream = streamName('movie', randomUUID());
    await appendTyped<Event>(store, registry, stream, [{ type: 'Rated', data: { movieId: 'm1', score: 4.5, source: 'web' } }], {
      metadata,
    });
    expect((await store.readStream(stream))[0]).to.include({ type: 'Rated', schemaVersion: 2 });
  });

  it('never appends an event that fails its codec, nor the others of its append', async () => {
    const store = createMemoryEventStore();
    const stream = streamName('movie', randomUUID());
    const bad: Event[] = [
      { type: 'Noted', data: { text: 'fine' } },
      { type: 'Rated', data: { movieId: 'm1', score: 4.2, source: 'web' } },
    ];
    const error = await appendTyped(store, registry, stream, bad, { metadata }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(InvalidEventError);
    expect((error as InvalidEventError).problems.join()).to.match(/score/);
    expect(await store.readStream(stream)).to.deep.equal([]);
  });

  it('refuses to read an unknown type, or a version newer than it knows', () => {
    const base = {
      eventId: randomUUID(),
      metadata,
      streamName: streamName('movie', '1'),
      revision: 0n,
      position: 1n,
      hash: '',
      recordedAt: new Date(),
    };
    expect(E.isLeft(registry.decode({ ...base, type: 'Vanished', schemaVersion: 1, data: {} }))).to.equal(true);
    expect(E.isLeft(registry.decode({ ...base, type: 'Rated', schemaVersion: 3, data: { movieId: 'm', score: 1, source: 'x' } }))).to.equal(
      true,
    );
    expect(
      E.isLeft(registry.decode({ ...base, type: 'Rated', schemaVersion: 2, data: { movieId: 'm', score: 11, source: 'x' } })),
    ).to.equal(true);
  });

  it('carries every field of the envelope, and decodes one stored event once however many readers ask', () => {
    const stored = {
      eventId: randomUUID(),
      type: 'Noted',
      schemaVersion: 1,
      data: { text: 'hello' },
      metadata,
      streamName: streamName('movie', '1'),
      revision: 4n,
      position: 9n,
      hash: 'ab'.repeat(32),
      recordedAt: new Date('2026-01-02T00:00:00.000Z'),
    };
    const first = registry.decode(stored);
    const { schemaVersion, ...envelope } = stored;
    expect(E.isRight(first) && first.right).to.deep.equal({ ...envelope, storedSchemaVersion: schemaVersion });
    expect(registry.decode(stored)).to.equal(first);
    // Another event with the same content is another event: decoded in its own right.
    expect(registry.decode({ ...stored })).not.to.equal(first);
  });

  it('insists that every older version has an upcaster', () => {
    expect(() => defineEvent('Broken', t.type({}), { schemaVersion: 3, upcasters: { 1: (d) => d } })).to.throw(/no upcaster from v2/);
  });
});
