import * as E from 'fp-ts/lib/Either.js';
import type { DomainEvent } from '../../domain/events.ts';
import type { RecordedEvent } from '../../infrastructure/eventStore/eventRegistry.ts';
import type { Position, SubscriptionBatch } from '../../infrastructure/eventStore/eventStore.ts';
import type { Projection } from './projection.ts';
import { applyToTarget, readAhead, type ProjectionRuntime, type ProjectionTarget } from './runProjection.ts';

export interface TogetherEntry {
  readonly projection: Projection;
  /** The shadow of a rebuild, whose advisory lock the caller holds. */
  readonly target: Pick<ProjectionTarget, 'stateName' | 'schema'>;
  readonly onProgress?: (progress: { readonly position: Position; readonly applied: number }) => void;
}

export interface RunningCatchUp {
  readonly done: Promise<void>;
  /** Stops after the batch in hand, committed. */
  readonly stop: () => Promise<void>;
}

interface Entry extends TogetherEntry {
  readonly types: ReadonlySet<string>;
  position: Position;
  applied: number;
}

/**
 * Brings several rebuilds up to the head of the log with one read of it: several read models follow
 * the same events (ratings feed three), and reading, parsing and decoding each event once rather than
 * once per read model is most of what a rebuild of them all costs besides the writes. Each batch is
 * decoded once, then written to every shadow at the same time, each in its own transaction with its
 * own fenced checkpoint. A shadow whose batch fails drops out at its last checkpoint: the caller then
 * finishes it with its own runner, which retries the failing event and parks it if it must.
 */
export const catchUpTogether = (entries: readonly TogetherEntry[], runtime: ProjectionRuntime): RunningCatchUp => {
  let stopping = false;
  let closeSubscription: (() => Promise<void>) | undefined;

  const run = async (): Promise<void> => {
    const active: Entry[] = [];
    for (const entry of entries) {
      const { rows } = await runtime.pool.query<{ position: string; status: string }>(
        'SELECT position, status FROM projection_state WHERE name = $1',
        [entry.target.stateName],
      );
      const row = rows[0];
      // Stopped at a parked event: its own runner reports it.
      if (row === undefined || row.status !== 'running') continue;
      active.push({ ...entry, types: new Set(entry.projection.eventTypes), position: BigInt(row.position), applied: 0 });
    }
    if (active.length === 0) return;
    const from = active.reduce((lowest, entry) => (entry.position < lowest ? entry.position : lowest), active[0]?.position ?? -1n);
    const head = await runtime.store.headPosition();
    if (head === null || from >= head || stopping) return;
    const subscription = runtime.store.subscribeToAll({
      fromPosition: from < 0n ? 'start' : from,
      filter: { eventTypes: [...new Set(active.flatMap((entry) => entry.projection.eventTypes))] },
      maxBatchSize: runtime.batchSize ?? 1_000,
    });
    closeSubscription = subscription.close;
    // Decoded on arrival (the registry remembers), while the batch before is written.
    const decodeAhead = (batch: SubscriptionBatch): void => {
      for (const event of batch.events) runtime.registry.decode(event);
    };
    const write = async (entry: Entry, batch: SubscriptionBatch): Promise<void> => {
      if (entry.position >= batch.checkpoint) return;
      const events: RecordedEvent<DomainEvent>[] = [];
      for (const event of batch.events) {
        if (event.position <= entry.position || !entry.types.has(event.type)) continue;
        const result = runtime.registry.decode(event);
        if (E.isLeft(result)) throw result.left;
        events.push(result.right);
      }
      await applyToTarget(runtime.pool, entry.projection, entry.target, events, entry.position, batch.checkpoint);
      entry.position = batch.checkpoint;
      entry.applied += events.length;
      entry.onProgress?.({ position: entry.position, applied: entry.applied });
    };
    try {
      for await (const batch of readAhead(subscription, decodeAhead)) {
        if (stopping) return;
        const outcomes = await Promise.allSettled(active.map((entry) => write(entry, batch)));
        const failed = new Set<Entry>();
        outcomes.forEach((outcome, index) => {
          const entry = active[index];
          if (outcome.status === 'fulfilled' || entry === undefined) return;
          const reason: unknown = outcome.reason;
          runtime.log.warn({ err: reason, projection: entry.target.stateName }, 'a batch failed in the shared catch-up; finishing alone');
          failed.add(entry);
        });
        for (let index = active.length - 1; index >= 0; index--) {
          const entry = active[index];
          if (entry !== undefined && failed.has(entry)) active.splice(index, 1);
        }
        if (active.length === 0 || batch.caughtUp) return;
      }
    } finally {
      closeSubscription = undefined;
      await subscription.close();
    }
  };

  const done = run();
  return {
    done,
    stop: async () => {
      stopping = true;
      await closeSubscription?.();
      await done.catch(() => undefined);
    },
  };
};
