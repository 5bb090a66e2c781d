import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { handleCommand, type CommandOptions } from '../../../src/commands/shared/handleCommand.ts';
import { createStreamStates } from '../../../src/commands/shared/streamStates.ts';
import { viewingEventTypes } from '../../../src/commands/shared/viewing.ts';
import { viewingDecider, type ViewingCommand, type ViewingError, type ViewingState } from '../../../src/domain/viewing/decide.ts';
import type { ViewingEvent } from '../../../src/domain/viewing/events.ts';
import { domainEventDefinitions } from '../../../src/domain/events.ts';
import { eventRegistry } from '../../../src/infrastructure/eventStore/eventRegistry.ts';
import type { EventStore } from '../../../src/infrastructure/eventStore/eventStore.ts';
import { WrongExpectedRevisionError } from '../../../src/infrastructure/eventStore/errors.ts';
import { createMemoryEventStore } from '../../../src/infrastructure/eventStore/memory/memoryEventStore.ts';
import { streamName } from '../../../src/infrastructure/eventStore/streamName.ts';
import { score, uuid } from '../../support/values.ts';

// The command runtime on the in-memory store: load, fold, decide, append; and what it does when
// another writer gets there first.

const registry = eventRegistry(domainEventDefinitions);
const metadata = { occurredAt: '2026-01-01T00:00:00.000Z', actorId: null, correlationId: 'c', causationId: null };
const userId = uuid();
const movieId = uuid();
const stream = streamName('viewing', `${userId}_${movieId}`);
const rate = (value: number) => ({ type: 'RateMovie' as const, userId, movieId, movie: 'available' as const, score: score(value) });

/** A store whose first `n` appends lose a race to an append that slips in just before. */
const racing = (store: EventStore, n: number): EventStore => {
  let losses = 0;
  return {
    ...store,
    appendToStream: async (name, events, options) => {
      if (losses < n) {
        losses++;
        const [mine] = events;
        if (mine === undefined) throw new Error('nothing to race');
        // Another writer rates first, with a score of its own.
        await store.appendToStream(name, [{ ...mine, eventId: crypto.randomUUID(), data: { ...mine.data, score: 1 } }]);
        throw new WrongExpectedRevisionError(name, options?.expectedRevision ?? 'any', 0n);
      }
      return store.appendToStream(name, events, options);
    },
  };
};

describe('handling a command', () => {
  it('appends the decided events at the revision the decision was made on', async () => {
    const store = createMemoryEventStore();
    const result = await handleCommand(
      { store, registry },
      { stream, decider: viewingDecider, eventTypes: viewingEventTypes, command: rate(4), metadata },
    );
    expect(E.isRight(result) && result.right.revision).to.equal(0n);
    expect((await store.readStream(stream)).map((event) => event.type)).to.deep.equal(['MovieRated']);
  });

  it('decides again on the new state when another writer got there first', async () => {
    const memory = createMemoryEventStore();
    const result = await handleCommand(
      { store: racing(memory, 2), registry },
      { stream, decider: viewingDecider, eventTypes: viewingEventTypes, command: rate(2), metadata },
    );
    expect(E.isRight(result)).to.equal(true);
    const events = await memory.readStream(stream);
    expect(events).to.have.length(3);
    // Decided on the state the racers left: it replaces their score.
    expect(events[2]?.data).to.include({ score: 2, previousScore: 1 });
  });

  it('gives up with a conflict when retries run out', async () => {
    const result = await handleCommand(
      { store: racing(createMemoryEventStore(), 10), registry },
      { stream, decider: viewingDecider, eventTypes: viewingEventTypes, command: rate(2), metadata, maxAttempts: 3 },
    );
    expect(result).to.deep.equal(E.left({ kind: 'conflict' }));
  });

  it('answers stale instead of retrying when the caller named a revision', async () => {
    const store = createMemoryEventStore();
    await handleCommand(
      { store, registry },
      { stream, decider: viewingDecider, eventTypes: viewingEventTypes, command: rate(4), metadata },
    );
    const result = await handleCommand(
      { store, registry },
      { stream, decider: viewingDecider, eventTypes: viewingEventTypes, command: rate(3), metadata, ifMatch: 'no_stream' },
    );
    expect(result).to.deep.equal(E.left({ kind: 'stale', actual: 0n }));
  });

  it('recognises a retried request by its event ids and appends nothing', async () => {
    const store = createMemoryEventStore();
    const ids = () => ['4b9c0f5e-2f4e-4c1e-9a53-2f4f5e6d7c8b'];
    const first = await handleCommand(
      { store, registry },
      { stream, decider: viewingDecider, eventTypes: viewingEventTypes, command: rate(4), metadata, eventIds: ids },
    );
    const again = await handleCommand(
      { store, registry },
      { stream, decider: viewingDecider, eventTypes: viewingEventTypes, command: rate(5), metadata, eventIds: ids },
    );
    expect(E.isRight(again) && again.right.position).to.equal(E.isRight(first) && first.right.position);
    expect(await store.readStream(stream)).to.have.length(1);
  });

  it('passes a rejection through, appending nothing', async () => {
    const store = createMemoryEventStore();
    const result = await handleCommand(
      { store, registry },
      { stream, decider: viewingDecider, eventTypes: viewingEventTypes, command: { ...rate(4), movie: 'archived' as const }, metadata },
    );
    expect(result).to.deep.equal(E.left({ kind: 'rejected', error: { type: 'MovieArchived' } }));
    expect(await store.readStream(stream)).to.deep.equal([]);
  });
});

describe('handling a command with remembered stream states', () => {
  const retract = { type: 'RetractRating' as const, userId, movieId, movie: 'available' as const };
  type Options = CommandOptions<ViewingCommand, ViewingEvent, ViewingState, ViewingError>;
  const options = (command: ViewingCommand, more: Partial<Options> = {}): Options => ({
    stream,
    decider: viewingDecider,
    eventTypes: viewingEventTypes,
    command,
    metadata,
    ...more,
  });

  /** The store, counting the stream reads made through it. */
  const counting = (store: EventStore) => {
    const counted = { reads: 0 };
    return {
      counted,
      store: {
        ...store,
        readStream: (...args: Parameters<EventStore['readStream']>) => {
          counted.reads++;
          return store.readStream(...args);
        },
      },
    };
  };

  const scores = async (store: EventStore) =>
    (await store.readStream(stream)).map((event) => `${event.type} ${String((event.data as { score?: number }).score ?? '')}`.trim());

  it('reads a stream once, then decides on what it remembers', async () => {
    const { store, counted } = counting(createMemoryEventStore());
    const environment = { store, registry, streamStates: createStreamStates() };
    await handleCommand(environment, options(rate(4)));
    await handleCommand(environment, options(rate(3)));
    await handleCommand(environment, options(retract));
    expect(counted.reads).to.equal(1);
    expect(await scores(store)).to.deep.equal(['MovieRated 4', 'MovieRated 3', 'RatingRetracted']);
  });

  it('takes a stream it does not know for new when told to, without reading it', async () => {
    const { store, counted } = counting(createMemoryEventStore());
    const result = await handleCommand(
      { store, registry, streamStates: createStreamStates() },
      options(rate(4), { unknownStreams: 'new' }),
    );
    expect(E.isRight(result) && result.right.revision).to.equal(0n);
    expect(counted.reads).to.equal(0);
  });

  it('reads and decides again when the guess of a new stream was wrong', async () => {
    const memory = createMemoryEventStore();
    await handleCommand({ store: memory, registry }, options(rate(4)));
    const { store, counted } = counting(memory);
    const streamStates = createStreamStates();
    const rerated = await handleCommand({ store, registry, streamStates }, options(rate(3), { unknownStreams: 'new' }));
    expect(E.isRight(rerated) && rerated.right.revision).to.equal(1n);
    expect((await memory.readStream(stream))[1]?.data).to.include({ score: 3, previousScore: 4 });
    // Nothing to do on a guessed empty stream is not an answer either: retracting must read.
    const retracted = await handleCommand(
      { store, registry, streamStates: createStreamStates() },
      options(retract, { unknownStreams: 'new' }),
    );
    expect(E.isRight(retracted) && retracted.right.events.map((event) => event.type)).to.deep.equal(['RatingRetracted']);
    expect(counted.reads).to.equal(2);
  });

  it('reads the stream before answering that there is nothing to do, when another writer moved it on', async () => {
    const store = createMemoryEventStore();
    const streamStates = createStreamStates();
    await handleCommand({ store, registry, streamStates }, options(rate(4)));
    // Another process retracts: this one still remembers the score 4.
    await handleCommand({ store, registry }, options(retract));
    const result = await handleCommand({ store, registry, streamStates }, options(rate(4)));
    expect(E.isRight(result) && result.right.events).to.have.length(1);
    expect(await scores(store)).to.deep.equal(['MovieRated 4', 'RatingRetracted', 'MovieRated 4']);
  });

  it('decides again when an append on the remembered state is refused', async () => {
    const store = createMemoryEventStore();
    const streamStates = createStreamStates();
    await handleCommand({ store, registry, streamStates }, options(rate(4)));
    await handleCommand({ store, registry }, options(rate(5)));
    await handleCommand({ store, registry, streamStates }, options(rate(2)));
    expect((await store.readStream(stream))[2]?.data).to.include({ score: 2, previousScore: 5 });
    // And remembers the revision it wrote: the next command appends at once.
    expect(streamStates.recall(stream)?.revision).to.equal(2n);
  });

  it('checks If-Match against the stream, not only against what it remembers', async () => {
    const store = createMemoryEventStore();
    const streamStates = createStreamStates();
    await handleCommand({ store, registry, streamStates }, options(rate(4)));
    await handleCommand({ store, registry }, options(rate(5)));
    const current = await handleCommand({ store, registry, streamStates }, options(rate(3), { ifMatch: 1n }));
    expect(E.isRight(current) && current.right.revision).to.equal(2n);
    const stale = await handleCommand({ store, registry, streamStates }, options(rate(1), { ifMatch: 1n }));
    expect(stale).to.deep.equal(E.left({ kind: 'stale', actual: 2n }));
  });

  it('always reads the stream for a request with an Idempotency-Key (its ids are in the stream)', async () => {
    const { store, counted } = counting(createMemoryEventStore());
    const streamStates = createStreamStates();
    const ids = () => ['5c9c0f5e-2f4e-4c1e-9a53-2f4f5e6d7c8b'];
    await handleCommand({ store, registry, streamStates }, options(rate(4), { eventIds: ids, unknownStreams: 'new' }));
    const again = await handleCommand({ store, registry, streamStates }, options(rate(5), { eventIds: ids }));
    expect(E.isRight(again) && again.right.events).to.deep.equal([]);
    expect(counted.reads).to.equal(2);
    expect(await store.readStream(stream)).to.have.length(1);
  });
});

describe('remembered stream states', () => {
  const state = (revision: bigint | 'no_stream') => ({ state: { revision }, revision, position: null });
  const a = streamName('viewing', 'a');
  const b = streamName('viewing', 'b');
  const c = streamName('viewing', 'c');

  it('never replaces a later revision with an earlier one', () => {
    const states = createStreamStates();
    states.remember(a, state(3n));
    states.remember(a, state(2n));
    states.remember(a, state('no_stream'));
    expect(states.recall(a)?.revision).to.equal(3n);
    states.remember(a, state(4n));
    expect(states.recall(a)?.revision).to.equal(4n);
  });

  it('lets the least recently used stream go beyond its capacity', () => {
    const states = createStreamStates(2);
    states.remember(a, state(0n));
    states.remember(b, state(0n));
    states.recall(a);
    states.remember(c, state(0n));
    expect([states.recall(a), states.recall(b), states.recall(c)].map((known) => known !== undefined)).to.deep.equal([true, false, true]);
    expect(states.size()).to.equal(2);
  });
});
