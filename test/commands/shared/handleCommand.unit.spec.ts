import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { handleCommand } from '../../../src/commands/shared/handleCommand.ts';
import { viewingEventTypes } from '../../../src/commands/shared/viewing.ts';
import { viewingDecider } from '../../../src/domain/viewing/decide.ts';
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
