import * as E from 'fp-ts/lib/Either.js';
import type { Decider } from '../../domain/shared/decider.ts';
import type { DomainEvent } from '../../domain/events.ts';
import type { EventMetadata, Position, StreamName } from '../../infrastructure/eventStore/eventStore.ts';
import { WrongExpectedRevisionError } from '../../infrastructure/eventStore/errors.ts';
import { foldStream, type EventLog, type FoldedStream } from '../../infrastructure/eventStore/foldStream.ts';
import { appendTyped } from '../../infrastructure/eventStore/typedAppend.ts';
import type { KnownStream, Revision, StreamStates } from './streamStates.ts';
import { nameCommandSpan, withCommandSpan } from './commandSpan.ts';

/** What every command handler needs from the outside world. */
export interface CommandEnvironment extends EventLog {
  /** Streams decided on lately; without it, every command reads its stream first. */
  readonly streamStates?: StreamStates;
}

export type { Revision };

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
  /**
   * `new`: a stream that `streamStates` does not know is first taken to be empty, for streams that
   * usually are on their first command (a viewer's stream for one movie). A wrong guess costs one
   * refused append, then the stream is read.
   */
  readonly unknownStreams?: 'read' | 'new';
}

/**
 * Load the stream (or recall it), fold it, decide, append at the revision the decision was made on;
 * retry on conflict.
 *
 * Only an append can confirm a recalled (or guessed) state: the store refuses it unless the stream is
 * still at that revision. Every other answer (a refusal, nothing to do, a stale If-Match) is given only
 * after the stream itself has been read.
 */
export const handleCommand = <Command, Event extends DomainEvent, State, Error, Refusal = never>(
  environment: CommandEnvironment,
  options: CommandOptions<Command, Event, State, Error, Refusal>,
): Promise<E.Either<CommandFailure<Error | Refusal>, CommandSuccess<Event>>> =>
  withCommandSpan(options.stream, options.command, options.metadata.correlationId, () => decideAndAppend(environment, options));

const decideAndAppend = async <Command, Event extends DomainEvent, State, Error, Refusal = never>(
  environment: CommandEnvironment,
  options: CommandOptions<Command, Event, State, Error, Refusal>,
): Promise<E.Either<CommandFailure<Error | Refusal>, CommandSuccess<Event>>> => {
  const maxAttempts = options.maxAttempts ?? 5;
  const memory = environment.streamStates;
  // A retried request (same Idempotency-Key) is recognised by its event ids, which only the stream holds.
  let mayRecall = memory !== undefined && options.eventIds === undefined;
  for (let conflicts = 0; ;) {
    const recalled = mayRecall ? recall(memory, options) : undefined;
    const current: Current<State> =
      recalled === undefined ? { read: true, ...(await load(environment, options)) } : { read: false, ...recalled };
    if (current.read) memory?.remember(options.stream, { state: current.state, revision: current.revision, position: current.position });
    /**
     * Whether this answer rests on a recalled state that no append confirmed: then read the stream
     * and decide again. Either way, any further attempt reads the stream.
     */
    const unconfirmed = (): boolean => {
      mayRecall = false;
      return !current.read;
    };

    // A retry (same Idempotency-Key) of a request whose events were appended before its answer was lost.
    const retried = options.eventIds?.(1)[0];
    if (retried !== undefined && current.read && current.eventIds.has(retried))
      return E.right({ events: [], position: current.position, revision: current.revision });
    if (options.ifMatch !== undefined && options.ifMatch !== current.revision) {
      if (unconfirmed()) continue;
      return E.left({ kind: 'stale', actual: current.revision });
    }
    const command: E.Either<Refusal, Command> = isCommandFactory(options.command)
      ? await options.command(current.state)
      : E.right(options.command);
    if (E.isLeft(command)) {
      if (unconfirmed()) continue;
      return E.left({ kind: 'rejected', error: command.left });
    }
    if (isCommandFactory(options.command)) nameCommandSpan(command.right);
    const decision = options.decider.decide(command.right, current.state);
    if (E.isLeft(decision)) {
      if (unconfirmed()) continue;
      return E.left({ kind: 'rejected', error: decision.left });
    }
    if (decision.right.length === 0) {
      if (unconfirmed()) continue;
      return E.right({ events: [], position: current.position, revision: current.revision });
    }
    try {
      const appended = await appendTyped(environment.store, environment.registry, options.stream, decision.right, {
        expectedRevision: current.revision,
        metadata: options.metadata,
        eventIds: options.eventIds?.(decision.right.length),
      });
      memory?.remember(options.stream, {
        state: decision.right.reduce(options.decider.evolve, current.state),
        revision: appended.nextExpectedRevision,
        position: appended.position,
      });
      return E.right({ events: decision.right, position: appended.position, revision: appended.nextExpectedRevision });
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      memory?.forget(options.stream);
      if (unconfirmed()) continue;
      if (options.ifMatch !== undefined) return E.left({ kind: 'stale', actual: error.actual });
      if (++conflicts >= maxAttempts) return E.left({ kind: 'conflict' });
    }
  }
};

type Current<State> =
  ({ readonly read: true; readonly eventIds: ReadonlySet<string> } & Folded<State>) | ({ readonly read: false } & Folded<State>);

interface Folded<State> extends KnownStream {
  readonly state: State;
}

/** The remembered state, or for a stream expected to be new, the empty one; undefined: read it. */
const recall = <Command, Event, State, Error, Refusal>(
  memory: StreamStates | undefined,
  options: CommandOptions<Command, Event, State, Error, Refusal>,
): Folded<State> | undefined => {
  // Entries are keyed by stream, and a stream is only ever decided on by one decider.
  const known = memory?.recall(options.stream) as Folded<State> | undefined;
  if (known !== undefined) return known;
  return options.unknownStreams === 'new' ? { state: options.decider.initialState(), revision: 'no_stream', position: null } : undefined;
};

/** The stream folded into the decider's state, with the revision and position it was read at. */
export const load = <Command, Event extends DomainEvent, State, Error>(
  environment: CommandEnvironment,
  options: Pick<CommandOptions<Command, Event, State, Error>, 'stream' | 'decider' | 'eventTypes'>,
): Promise<FoldedStream<State>> => foldStream<Event, State>(environment, options.stream, options.decider, options.eventTypes);

const isCommandFactory = <Command, State, Refusal>(
  command: Command | ((state: State) => Promise<E.Either<Refusal, Command>>),
): command is (state: State) => Promise<E.Either<Refusal, Command>> => typeof command === 'function';
