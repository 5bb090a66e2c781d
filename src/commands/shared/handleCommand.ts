import * as E from 'fp-ts/lib/Either.js';
import type { Decider } from '../../domain/shared/decider.ts';
import type { DomainEvent } from '../../domain/events.ts';
import type { EventRegistry } from '../../infrastructure/eventStore/eventRegistry.ts';
import type { EventMetadata, EventStore, Position, StreamName, StreamRevision } from '../../infrastructure/eventStore/eventStore.ts';
import { WrongExpectedRevisionError } from '../../infrastructure/eventStore/errors.ts';
import { appendTyped } from '../../infrastructure/eventStore/typedAppend.ts';

/** What every command handler needs from the outside world. */
export interface CommandEnvironment {
  readonly store: EventStore;
  readonly registry: EventRegistry<DomainEvent>;
}

export type Revision = StreamRevision | 'no_stream';

export type CommandFailure<Error> =
  | { readonly kind: 'rejected'; readonly error: Error }
  /** The caller said which revision it acted on (If-Match) and the stream has moved on. */
  | { readonly kind: 'stale'; readonly actual: Revision }
  /** Other writers kept winning the race; retries ran out. */
  | { readonly kind: 'conflict' };

export interface CommandSuccess<Event> {
  readonly events: readonly Event[];
  /** Of the last event appended, or (when nothing changed) the stream's last event: read your writes from here. */
  readonly position: Position | null;
  readonly revision: Revision;
}

export interface CommandOptions<Command, Event, State, Error, Refusal = never> {
  readonly stream: StreamName;
  readonly decider: Decider<Command, Event, State, Error>;
  readonly eventTypes: ReadonlySet<string>;
  /**
   * The command, or how to make it from the current state, for checks that need I/O (verifying a
   * password, reading another aggregate); those checks may refuse with errors of their own.
   */
  readonly command: Command | ((state: State) => Promise<E.Either<Refusal, Command>>);
  readonly metadata: EventMetadata;
  /** The revision the caller acted on (HTTP If-Match); without it, conflicts are retried. */
  readonly ifMatch?: Revision;
  /** Ids for the events of each attempt: deterministic ids make a retried request idempotent. */
  readonly eventIds?: (count: number) => readonly string[];
  readonly maxAttempts?: number;
}

/** Load the stream, fold it, decide, append at the revision the decision was made on; retry on conflict. */
export const handleCommand = async <Command, Event extends DomainEvent, State, Error, Refusal = never>(
  environment: CommandEnvironment,
  options: CommandOptions<Command, Event, State, Error, Refusal>,
): Promise<E.Either<CommandFailure<Error | Refusal>, CommandSuccess<Event>>> => {
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const { state, revision, position, eventIds } = await load(environment, options);
    // A retry (same Idempotency-Key) of a request whose events were appended before its answer was lost.
    const retried = options.eventIds?.(1)[0];
    if (retried !== undefined && eventIds.has(retried)) return E.right({ events: [], position, revision });
    if (options.ifMatch !== undefined && options.ifMatch !== revision) return E.left({ kind: 'stale', actual: revision });
    const command: E.Either<Refusal, Command> = isCommandFactory(options.command) ? await options.command(state) : E.right(options.command);
    if (E.isLeft(command)) return E.left({ kind: 'rejected', error: command.left });
    const decision = options.decider.decide(command.right, state);
    if (E.isLeft(decision)) return E.left({ kind: 'rejected', error: decision.left });
    if (decision.right.length === 0) return E.right({ events: [], position, revision });
    try {
      const appended = await appendTyped(environment.store, environment.registry, options.stream, decision.right, {
        expectedRevision: revision,
        metadata: options.metadata,
        eventIds: options.eventIds?.(decision.right.length),
      });
      return E.right({ events: decision.right, position: appended.position, revision: appended.nextExpectedRevision });
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      if (options.ifMatch !== undefined) return E.left({ kind: 'stale', actual: error.actual });
      if (attempt >= maxAttempts) return E.left({ kind: 'conflict' });
    }
  }
};

/** The stream folded into the decider's state, with the revision and position it was read at. */
export const load = async <Command, Event extends DomainEvent, State, Error>(
  environment: CommandEnvironment,
  options: Pick<CommandOptions<Command, Event, State, Error>, 'stream' | 'decider' | 'eventTypes'>,
): Promise<{ state: State; revision: Revision; position: Position | null; eventIds: ReadonlySet<string> }> => {
  const stored = await environment.store.readStream(options.stream);
  let state = options.decider.initialState();
  for (const event of stored) {
    const decoded = environment.registry.decode(event);
    if (E.isLeft(decoded)) throw decoded.left;
    const recorded: DomainEvent = decoded.right;
    if (isOwn<Event>(recorded, options.eventTypes)) state = options.decider.evolve(state, recorded);
  }
  const last = stored[stored.length - 1];
  return {
    state,
    revision: last === undefined ? 'no_stream' : last.revision,
    position: last?.position ?? null,
    eventIds: new Set(stored.map((event) => event.eventId)),
  };
};

const isCommandFactory = <Command, State, Refusal>(
  command: Command | ((state: State) => Promise<E.Either<Refusal, Command>>),
): command is (state: State) => Promise<E.Either<Refusal, Command>> => typeof command === 'function';

const isOwn = <Event extends DomainEvent>(event: DomainEvent, types: ReadonlySet<string>): event is Event => types.has(event.type);
