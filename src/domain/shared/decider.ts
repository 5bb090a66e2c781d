import type { Either } from 'fp-ts/lib/Either.js';

/**
 * An aggregate as three pure functions (after Emmett's decider): `decide` turns a command and the
 * current state into events or a domain error, `evolve` folds an event into the state, and
 * `initialState` is where every fold starts. No I/O: time and ids arrive inside the command.
 */
export interface Decider<Command, Event, State, Error> {
  readonly decide: (command: Command, state: State) => Either<Error, readonly Event[]>;
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: () => State;
}

export const fold = <Event, State>(evolve: (state: State, event: Event) => State, initial: State, events: readonly Event[]): State =>
  events.reduce(evolve, initial);
