import { END, START } from '@eventstore/db-client';
import type { AllStreamRecordedEvent, AllStreamResolvedEvent, EventStoreDBClient, Position as EsdbPosition } from '@eventstore/db-client';
import type { EventFilter, Position } from '../eventStore.ts';
import { lastRecordBefore, readAllPage } from './allReads.ts';
import { firstMatchAfter, lastPassableAfter } from './lookAhead.ts';
import { toEsdbPosition } from './positions.ts';
import { SubscriptionEndedError } from './resubscribing.ts';
import { serverFilter, type ServerFilter } from './serverFilter.ts';

// What a subscription to $all needs from EventStoreDB, as two narrow interfaces: the server's
// messages on one subscription call (a Source), and reads of $all beside it (LogReads). The
// subscription's logic (`subscription.ts`) depends on these only, so that its unit tests replay
// message sequences recorded from servers against it.

/** The messages of one subscription call, as the client hands them on. */
export interface SourceHandlers {
  readonly confirmation: () => void;
  readonly event: (record: AllStreamRecordedEvent) => void;
  /** The client waits for this before it passes on the next message. */
  readonly checkpoint: (position: EsdbPosition) => Promise<void>;
  /** Servers from 23.10 send it on going live (and 24.10 again after falling behind); older ones never. */
  readonly caughtUp: () => void;
  /** 24.10 only: live delivery overflowed and the server reads the log again. 23.10 drops the call instead. */
  readonly fellBehind: () => void;
  /** The call failed, or ended (a catch-up subscription has no end of its own). */
  readonly lost: (error: unknown) => void;
}

export interface Source {
  readonly pause: () => void;
  readonly resume: () => void;
  readonly isPaused: () => boolean;
  /** Messages received by the client and not yet handed to the handlers. */
  readonly buffered: () => number;
  readonly unsubscribe: () => Promise<void>;
}

/** Opens a subscription call that resumes after `from` (null: from the start of $all). */
export type OpenSource = (from: Position | null, handlers: SourceHandlers) => Source;

export interface LogReads {
  /** Whether the server's filter lets the record through. */
  readonly matches: ServerFilter['matches'];
  /** See `lookAhead.ts`. */
  readonly firstMatchAfter: (after: Position) => Promise<AllStreamRecordedEvent | undefined>;
  readonly lastPassableAfter: (after: () => Position | null, maxCount: number) => Promise<Position | undefined>;
  /** The last record that ends before `position`, whatever its kind. */
  readonly lastRecordBefore: (position: Position) => Promise<Position | undefined>;
  /** The last record of $all, whatever its kind: the head a caught-up subscription has passed. */
  readonly lastRecord: () => Promise<Position | undefined>;
}

/** The production pair: the client's subscription call, and reads of $all through the same client. */
export const clientSubscription = (client: EventStoreDBClient, filter: EventFilter | undefined): { open: OpenSource; reads: LogReads } => {
  let current: { readonly call: unknown; readonly checkpoint: SourceHandlers['checkpoint'] } | undefined;
  // The filter's callback is fixed when it is built; it forwards to the handlers of the call open now.
  const server = serverFilter(filter, async (call, position) => {
    if (current?.call === call) await current.checkpoint(position);
  });
  const open: OpenSource = (from, handlers) => {
    const subscription = client.subscribeToAll({ fromPosition: from === null ? START : toEsdbPosition(from), filter: server.filter });
    current = { call: subscription, checkpoint: handlers.checkpoint };
    subscription.on('confirmation', handlers.confirmation);
    subscription.on('data', (resolved: AllStreamResolvedEvent) => {
      if (resolved.event !== undefined) handlers.event(resolved.event);
    });
    subscription.on('caughtUp', handlers.caughtUp);
    subscription.on('fellBehind', handlers.fellBehind);
    subscription.on('error', handlers.lost);
    subscription.on('end', () => handlers.lost(new SubscriptionEndedError()));
    return {
      pause: () => subscription.pause(),
      resume: () => subscription.resume(),
      isPaused: () => subscription.isPaused(),
      buffered: () => subscription.readableLength,
      unsubscribe: () => subscription.unsubscribe(),
    };
  };
  const reads: LogReads = {
    matches: server.matches,
    firstMatchAfter: (after) => firstMatchAfter(client, after, server),
    lastPassableAfter: (after, maxCount) => lastPassableAfter(client, after, server, maxCount),
    lastRecordBefore: (position) => lastRecordBefore(client, position),
    lastRecord: async () => (await readAllPage(client, END, 'backwards', 1)).records[0]?.position.commit,
  };
  return { open, reads };
};
