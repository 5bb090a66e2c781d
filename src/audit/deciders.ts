import { accountDecider } from '../domain/account/decide.ts';
import { accountEvents } from '../domain/account/events.ts';
import type { DomainEvent } from '../domain/events.ts';
import { movieDecider } from '../domain/movie/decide.ts';
import { movieEvents } from '../domain/movie/events.ts';
import { sessionDecider } from '../domain/session/decide.ts';
import { sessionEvents } from '../domain/session/events.ts';
import { viewingDecider } from '../domain/viewing/decide.ts';
import { viewingEvents } from '../domain/viewing/events.ts';

// The domain's own folds, by stream category (src/infrastructure/eventStore/streams.ts names the streams):
// as-of state is what the deciders would have seen, not a re-implementation of it. Reservation
// streams have no decider: a reservation is its one event, which `audit stream` shows.

/** Folds a stream's events into its aggregate's state; a Left names an event the aggregate does not know. */
export type StateFold = (events: readonly DomainEvent[]) => { readonly state: unknown } | { readonly foreign: DomainEvent };

const foldWith =
  <Event extends DomainEvent, State>(
    decider: { readonly evolve: (state: State, event: Event) => State; readonly initialState: () => State },
    definitions: readonly { readonly type: Event['type'] }[],
  ): StateFold =>
  (events) => {
    const types: ReadonlySet<string> = new Set(definitions.map((definition) => definition.type));
    const belongs = (event: DomainEvent): event is Event => types.has(event.type);
    let state = decider.initialState();
    for (const event of events) {
      if (!belongs(event)) return { foreign: event };
      state = decider.evolve(state, event);
    }
    return { state };
  };

const folds: ReadonlyMap<string, StateFold> = new Map([
  ['user', foldWith(accountDecider, accountEvents)],
  ['session', foldWith(sessionDecider, sessionEvents)],
  ['movie', foldWith(movieDecider, movieEvents)],
  ['viewing', foldWith(viewingDecider, viewingEvents)],
]);

export const foldFor = (category: string): StateFold | undefined => folds.get(category);

export const foldableCategories = (): readonly string[] => [...folds.keys()];
