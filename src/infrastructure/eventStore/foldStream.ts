import * as E from 'fp-ts/lib/Either.js';
import type { DomainEvent } from '../../domain/events.ts';
import type { EventRegistry } from './eventRegistry.ts';
import type { EventStore, Position, StreamName, StreamRevision } from './eventStore.ts';

/** The event log as both sides read it: the store, and the registry that decodes its events. */
export interface EventLog {
  readonly store: EventStore;
  readonly registry: EventRegistry<DomainEvent>;
}

/** How an aggregate's state is built from its events: the domain's own `evolve`. */
export interface Fold<Event, State> {
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
}

export interface FoldedStream<State> {
  readonly state: State;
  readonly revision: StreamRevision | 'no_stream';
  readonly position: Position | null;
  readonly eventIds: ReadonlySet<string>;
}

/**
 * A stream folded into its aggregate's state, with the revision and position it was read at. Events
 * of other types in the stream are passed over (`eventTypes` are the aggregate's own); an event the
 * registry cannot decode throws, as a log the code cannot read is no state to act or answer on.
 */
export const foldStream = async <Event extends DomainEvent, State>(
  log: EventLog,
  stream: StreamName,
  fold: Fold<Event, State>,
  eventTypes: ReadonlySet<string>,
): Promise<FoldedStream<State>> => {
  const stored = await log.store.readStream(stream);
  let state = fold.initialState();
  for (const event of stored) {
    const decoded = log.registry.decode(event);
    if (E.isLeft(decoded)) throw decoded.left;
    const recorded: DomainEvent = decoded.right;
    if (isOwn<Event>(recorded, eventTypes)) state = fold.evolve(state, recorded);
  }
  const last = stored[stored.length - 1];
  return {
    state,
    revision: last === undefined ? 'no_stream' : last.revision,
    position: last?.position ?? null,
    eventIds: new Set(stored.map((event) => event.eventId)),
  };
};

const isOwn = <Event extends DomainEvent>(event: DomainEvent, types: ReadonlySet<string>): event is Event => types.has(event.type);
