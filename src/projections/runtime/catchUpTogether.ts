import * as E from 'fp-ts/lib/Either.js';
import type { DomainEvent } from '../../domain/events.ts';
import type { RecordedEvent } from '../../infrastructure/eventStore/eventRegistry.ts';
import type { Position, SubscriptionBatch } from '../../infrastructure/eventStore/eventStore.ts';
import type { Projection } from './projection.ts';
import { applyToTarget, type ProjectionRuntime, type ProjectionTarget } from './runProjection.ts';

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
  /** The checkpoint as committed. */
  stored: Position;
  /** Read up to here: batches with nothing for this read model move it without a write. */
  position: Position;
  /** The index in `read` of the next batch to take. */
  next: number;
  applied: number;
}

/** Batches read beyond the slowest writer: enough for every writer to find one waiting. */
const maxAhead = 4;

/**
 * Brings several rebuilds up to the head of the log with one read of it: several read models follow
 * the same events (ratings feed three), and reading, parsing and decoding each event once rather than
 * once per read model is most of what a rebuild of them all costs besides the writes. Each batch is
 * decoded once; every shadow then writes the batches at its own pace, each in its own transaction
 * with its own fenced checkpoint, so that while one shadow's batch is in PostgreSQL the others' are
 * built or written (a shadow waiting for the slowest would leave a core idle). The reader stays at
 * most a few batches ahead of the slowest. A shadow whose batch fails drops out at its last
 * checkpoint: the caller then finishes it with its own runner, which retries the failing event and
 * parks it if it must.
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
      const position = BigInt(row.position);
      active.push({ ...entry, types: new Set(entry.projection.eventTypes), stored: position, position, next: 0, applied: 0 });
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

    // The batches read and not yet taken by every writer; `dropped` of them are gone from the front.
    const read: SubscriptionBatch[] = [];
    let dropped = 0;
    let reading = true;
    // Every writer and the reader wait on one signal, renewed at each change: there are few of
    // them, and each looks again at what it waits for.
    let wake = (): void => undefined;
    let signal = new Promise<void>((resolve) => (wake = resolve));
    const nextChange = (): Promise<void> => signal;
    const announce = (): void => {
      wake();
      signal = new Promise<void>((resolve) => (wake = resolve));
    };

    const write = async (entry: Entry, batch: SubscriptionBatch, last: boolean): Promise<void> => {
      if (entry.position >= batch.checkpoint) return;
      const events: RecordedEvent<DomainEvent>[] = [];
      for (const event of batch.events) {
        if (event.position <= entry.position || !entry.types.has(event.type)) continue;
        const result = runtime.registry.decode(event);
        if (E.isLeft(result)) throw result.left;
        events.push(result.right);
      }
      entry.position = batch.checkpoint;
      // A batch with nothing for this read model is committed only as the last one read so far.
      if (events.length > 0 || last) {
        await applyToTarget(runtime.pool, entry.projection, entry.target, events, entry.stored, batch.checkpoint);
        entry.stored = batch.checkpoint;
      }
      entry.applied += events.length;
      entry.onProgress?.({ position: entry.position, applied: entry.applied });
    };

    const writer = async (entry: Entry): Promise<void> => {
      for (;;) {
        const available = dropped + read.length;
        if (entry.next < available) {
          const batch = read[entry.next - dropped];
          if (batch === undefined) throw new Error('a batch left the queue before every writer took it');
          const last = entry.next === available - 1 && (!reading || batch.caughtUp);
          await write(entry, batch, last || stopping);
          entry.next++;
          announce();
          if (stopping) return;
          continue;
        }
        if (!reading || stopping) {
          // Skipped empty batches leave the checkpoint behind what was read: store it.
          if (entry.stored < entry.position) {
            await applyToTarget(runtime.pool, entry.projection, entry.target, [], entry.stored, entry.position);
            entry.stored = entry.position;
          }
          return;
        }
        await nextChange();
      }
    };

    const reader = async (): Promise<void> => {
      try {
        for await (const batch of subscription) {
          for (const event of batch.events) runtime.registry.decode(event);
          read.push(batch);
          announce();
          if (stopping || batch.caughtUp) return;
          for (;;) {
            const slowest = active.reduce((lowest, entry) => Math.min(lowest, entry.next), Number.POSITIVE_INFINITY);
            // Every writer has taken these: let them go.
            while (dropped < slowest && read.length > 0) {
              read.shift();
              dropped++;
            }
            if (active.length === 0 || stopping || read.length < maxAhead) break;
            await nextChange();
          }
          if (active.length === 0 || stopping) return;
        }
      } finally {
        reading = false;
        announce();
      }
    };

    const writers = active.map(async (entry) => {
      try {
        await writer(entry);
      } catch (error) {
        runtime.log.warn({ err: error, projection: entry.target.stateName }, 'a batch failed in the shared catch-up; finishing alone');
      } finally {
        active.splice(active.indexOf(entry), 1);
        announce();
      }
    });
    try {
      await Promise.all([reader(), ...writers]);
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
