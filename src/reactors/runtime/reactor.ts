import type pg from 'pg';
import type { StoredEvent } from '../../infrastructure/eventStore/eventStore.ts';

/**
 * Does `effect` once for this reactor, causing event and `key` (several effects of one event take
 * several keys; '' for the only one). Returns false, doing nothing, when it was done before.
 *
 * The record of the effect and the effect's own writes through `tx` commit together: an effect that
 * writes only to this database is done exactly once. An effect outside it (a socket emit, a mail
 * handed to a queue) is recorded when it returns, so a crash between the two repeats it once: make
 * such an effect idempotent by the event id too (Agenda's unique key, a message id), or accept it.
 * An effect that throws records nothing, and the runtime retries the event.
 */
export type EffectOnce = (key: string, effect: (tx: pg.PoolClient) => Promise<void>) => Promise<boolean>;

export interface ReactorContext {
  readonly once: EffectOnce;
}

/** An event subscriber with a side effect; see index.ts for how to write and register one. */
export interface Reactor {
  /** Unique and stable: its checkpoint, parked events and effects are stored under it. */
  readonly name: string;
  /** Only these types are delivered (a server-side filter of the log). */
  readonly eventTypes: readonly string[];
  /**
   * At least once, in log order, one event at a time. Throwing retries the event with backoff, then
   * parks it and goes on. Key every effect on `event.eventId`, most simply through `context.once`.
   */
  readonly handle: (event: StoredEvent, context: ReactorContext) => Promise<void>;
  /** Events of bulk loads (`metadata.bulk`: an import, the demo) are passed over unless this is true. */
  readonly includeBulk?: boolean;
  /**
   * Where a reactor first started starts reading: 'head' (the default) reacts only to what comes
   * after it was deployed, so that deploying a mail reactor does not mail about every past event.
   */
  readonly startAt?: 'head' | 'start';
}
