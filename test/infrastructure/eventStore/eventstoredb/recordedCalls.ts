import { randomUUID } from 'node:crypto';
import type { AllStreamRecordedEvent, Position as EsdbPosition } from '@eventstore/db-client';
import type { Position } from '../../../../src/infrastructure/eventStore/eventStore.ts';
import type { LogReads, OpenSource, SourceHandlers } from '../../../../src/infrastructure/eventStore/eventstoredb/subscriptionSource.ts';

// Replays, to the subscription's logic, the messages EventStoreDB sends on subscription calls, as
// recorded from the servers' code (23.10: Enumerators.AllSubscriptionFiltered; 24.10:
// Enumerator.AllSubscriptionFiltered), with the log those calls read beside them. This drives the
// adapter's own logic in unit tests; it is no EventStoreDB, and no conformance run.

export type Message =
  | { readonly kind: 'confirmation' }
  | { readonly kind: 'event'; readonly record: AllStreamRecordedEvent }
  | { readonly kind: 'checkpoint'; readonly position: EsdbPosition }
  | { readonly kind: 'caughtUp' }
  | { readonly kind: 'fellBehind' }
  | { readonly kind: 'lost'; readonly error: unknown }
  /** Nothing more is sent until the condition holds (a consumer's pace, an append). */
  | { readonly kind: 'when'; readonly until: () => boolean; readonly then?: () => void };

/** The log: records in position order, appended to as the test goes. */
export interface RecordedLog {
  readonly records: AllStreamRecordedEvent[];
  readonly append: (record: AllStreamRecordedEvent) => AllStreamRecordedEvent;
}

export const recordedLog = (records: AllStreamRecordedEvent[] = []): RecordedLog => ({
  records,
  append: (record) => {
    records.push(record);
    return record;
  },
});

/** A record of ours at `position` (its envelope as the appender writes it). */
export const ours = (position: bigint, stream: string, type = 'Kept', revision = 0n): AllStreamRecordedEvent => ({
  streamId: stream,
  id: randomUUID(),
  isJson: true,
  revision,
  type,
  created: new Date('2026-12-04T12:00:00Z'),
  data: { at: Number(position) },
  metadata: {
    occurredAt: '2026-12-04T12:00:00.000Z',
    actorId: null,
    correlationId: randomUUID(),
    causationId: null,
    schemaVersion: 1,
    hash: 'a'.repeat(64),
  },
  position: { commit: position, prepare: position },
});

/** One of EventStoreDB's own records ($settings, $scavenges, stats). */
export const system = (position: bigint): AllStreamRecordedEvent => ({
  ...ours(position, '$settings', '$metadata'),
  metadata: {},
});

export const at = (position: bigint): EsdbPosition => ({ commit: position, prepare: position });

/** What the server ships for "no position": Position.FromInt64(-1, -1). */
export const noPosition: EsdbPosition = { commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n };

export interface Calls {
  readonly open: OpenSource;
  /** Where each call was opened from. */
  readonly opened: (Position | null)[];
  readonly unsubscribed: () => number;
}

/** Call n replays scripts[n]; a call beyond the scripts stays silent. */
export const replayedCalls = (scripts: readonly (readonly Message[])[]): Calls => {
  const opened: (Position | null)[] = [];
  let unsubscribed = 0;
  const open: OpenSource = (from, handlers) => {
    const script = scripts[opened.length] ?? [];
    opened.push(from);
    let cancelled = false;
    void replay(script, handlers, () => cancelled);
    return {
      pause: () => undefined,
      resume: () => undefined,
      isPaused: () => false,
      buffered: () => 0,
      unsubscribe: () => {
        cancelled = true;
        unsubscribed++;
        return Promise.resolve();
      },
    };
  };
  return { open, opened, unsubscribed: () => unsubscribed };
};

const replay = async (script: readonly Message[], handlers: SourceHandlers, cancelled: () => boolean): Promise<void> => {
  for (const message of script) {
    // Messages come one network read apart, never in the same turn.
    await new Promise((resolve) => setTimeout(resolve, 1));
    while (message.kind === 'when' && !message.until() && !cancelled()) await new Promise((resolve) => setTimeout(resolve, 2));
    if (cancelled()) return;
    switch (message.kind) {
      case 'confirmation':
        handlers.confirmation();
        break;
      case 'event':
        handlers.event(message.record);
        break;
      case 'checkpoint':
        // The client waits for its checkpoint callback before it passes on the next message.
        await handlers.checkpoint(message.position);
        break;
      case 'caughtUp':
        handlers.caughtUp();
        break;
      case 'fellBehind':
        handlers.fellBehind();
        break;
      case 'lost':
        handlers.lost(message.error);
        return;
      case 'when':
        message.then?.();
        break;
    }
  }
};

/** Reads of the recorded log, as the adapter's reads of $all answer them, for a filter on a stream prefix. */
export const logReads = (log: RecordedLog, prefix: string): LogReads => {
  const matches = (record: { readonly streamId: string }): boolean => record.streamId.startsWith(prefix);
  const after = (position: Position | null) => log.records.filter((record) => position === null || record.position.commit > position);
  return {
    matches,
    firstMatchAfter: (position) => Promise.resolve(after(position).slice(0, 64).find(matches)),
    lastPassableAfter: (passed, maxCount) => {
      let reached: Position | undefined;
      for (const record of after(passed()).slice(0, maxCount)) {
        if (matches(record)) break;
        reached = record.position.commit;
      }
      return Promise.resolve(reached);
    },
    lastRecordBefore: (position) =>
      Promise.resolve(log.records.filter((record) => record.position.commit < position).at(-1)?.position.commit),
    lastRecord: () => Promise.resolve(log.records.at(-1)?.position.commit),
  };
};
