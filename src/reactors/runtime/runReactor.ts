import pg from 'pg';
import type { EventStore, Position, StoredEvent } from '../../infrastructure/eventStore/eventStore.ts';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import { connectionTimeoutMs } from '../../infrastructure/postgres/pool.ts';
import { isDatabaseUnreachable } from '../../infrastructure/postgres/unreachable.ts';
import { loadCheckpoint, parkEvent, ReactorFencedOut, storeCheckpoint, unresolvedParked } from './checkpoint.ts';
import { effectOnce } from './effects.ts';
import type { ReactorMetrics } from './metrics.ts';
import type { Reactor } from './reactor.ts';

export interface ReactorRuntime {
  readonly pool: pg.Pool;
  /** For the session that holds the reactor's advisory lock. */
  readonly lockConnection: pg.ClientConfig;
  readonly store: EventStore;
  readonly log: Logger;
  readonly metrics?: ReactorMetrics;
  /** Delays before the retries of a failing event; after the last, it is parked. */
  readonly retryDelaysMs?: readonly number[];
  /** How often a standby instance tries for the lock again. */
  readonly standbyPollMs?: number;
  readonly batchSize?: number;
  /** A checkpoint moved only past other types' events is stored at most this often. */
  readonly idleCheckpointMs?: number;
}

export interface RunningReactor {
  readonly stop: () => Promise<void>;
  readonly done: Promise<void>;
  /**
   * Settles once the first attempt is known: the checkpoint is loaded (made at the head on a first
   * run), or another instance holds the reactor, or the attempt failed (and is tried again). Events
   * committed after it are the reactor's even on its first run.
   */
  readonly ready: Promise<void>;
}

const lockStatement = `SELECT pg_try_advisory_lock(hashtextextended('fastflix.reactor.' || $1, 0)) AS locked`;

/**
 * Runs one reactor: takes its advisory lock (one instance reacts, others stand by), follows the log
 * from its checkpoint, hands each event to the reactor, and stores the checkpoint after each batch,
 * fenced on the old value. A crash between an effect and the checkpoint delivers the event again,
 * which the effect's key (reactor_effects) turns into nothing. An event that keeps throwing is parked
 * and the reactor goes on; reactors never wait on each other.
 */
export const runReactor = (reactor: Reactor, runtime: ReactorRuntime): RunningReactor => {
  const log = runtime.log.child({ reactor: reactor.name });
  const retryDelays = runtime.retryDelaysMs ?? [200, 1_000, 5_000];
  const pollMs = runtime.standbyPollMs ?? 2_000;
  const idleCheckpointMs = runtime.idleCheckpointMs ?? 1_000;
  const labels = { reactor: reactor.name };
  let stopping = false;
  let wake: (() => void) | undefined;
  let closeSubscription: (() => Promise<void>) | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const handleWithRetries = async (event: StoredEvent): Promise<void> => {
    if (event.metadata.bulk === true && reactor.includeBulk !== true) {
      runtime.metrics?.skippedBulk.inc(labels);
      return;
    }
    const context = { once: effectOnce(runtime.pool, reactor.name, event.eventId) };
    for (let attempt = 1; ; attempt++) {
      try {
        await reactor.handle(event, context);
        runtime.metrics?.handled.inc(labels);
        return;
      } catch (error) {
        runtime.metrics?.failures.inc(labels);
        const delay = retryDelays[attempt - 1];
        if (delay === undefined || stopping) {
          if (stopping && delay !== undefined) throw new StoppedMidRetry();
          const message = error instanceof Error ? error.message : String(error);
          const parked = await parkEvent(runtime.pool, reactor.name, event, message, attempt);
          runtime.metrics?.parked.set(labels, parked);
          log.error(
            { err: error, position: event.position.toString(), eventType: event.type, attempts: attempt },
            'reactor parked an event it kept failing on and goes on; see `fastflix reactors status`',
          );
          return;
        }
        log.warn({ err: error, position: event.position.toString(), attempt }, 'reactor failed on an event; retrying');
        await sleep(delay);
      }
    }
  };

  const reportLag = async (position: Position, last: StoredEvent | undefined): Promise<void> => {
    runtime.metrics?.position.set(labels, Number(position));
    if (runtime.metrics === undefined) return;
    const head = await runtime.store.headPosition();
    const behind = head === null || head <= position ? 0 : Number(head - position);
    runtime.metrics.lagEvents.set(labels, behind);
    const seconds = behind === 0 || last === undefined ? 0 : (Date.now() - last.recordedAt.getTime()) / 1000;
    runtime.metrics.lagSeconds.set(labels, Math.max(0, seconds));
  };

  const follow = async (): Promise<void> => {
    let stored = await loadCheckpoint(runtime.pool, runtime.store, reactor);
    markReady();
    runtime.metrics?.parked.set(labels, await unresolvedParked(runtime.pool, reactor.name));
    await reportLag(stored, undefined);
    const subscription = runtime.store.subscribeToAll({
      fromPosition: stored < 0n ? 'start' : stored,
      filter: { eventTypes: reactor.eventTypes },
      maxBatchSize: runtime.batchSize ?? 500,
    });
    closeSubscription = subscription.close;
    if (stopping) {
      await subscription.close();
      return;
    }
    let storedAt = Date.now();
    let lastLag = 0;
    let lastEvent: StoredEvent | undefined;
    try {
      for await (const batch of subscription) {
        for (const event of batch.events) {
          if (stopping) return;
          await handleWithRetries(event);
          lastEvent = event;
        }
        if (batch.events.length > 0 || Date.now() - storedAt >= idleCheckpointMs) {
          await storeCheckpoint(runtime.pool, reactor.name, stored, batch.checkpoint);
          stored = batch.checkpoint;
          storedAt = Date.now();
        }
        if (Date.now() - lastLag >= 1_000 || batch.caughtUp) {
          lastLag = Date.now();
          await reportLag(batch.checkpoint, lastEvent);
        }
      }
    } finally {
      closeSubscription = undefined;
      await subscription.close();
    }
  };

  const run = async (): Promise<void> => {
    while (!stopping) {
      const lock = new pg.Client({
        connectionTimeoutMillis: connectionTimeoutMs,
        ...runtime.lockConnection,
        application_name: `fastflix-reactor-${reactor.name}`,
      });
      lock.on('error', () => undefined);
      try {
        await lock.connect();
        const { rows } = await lock.query<{ locked: boolean }>(lockStatement, [reactor.name]);
        if (rows[0]?.locked === true) {
          // Losing the lock's connection means another instance may take over: stop following.
          lock.once('end', () => void closeSubscription?.());
          await follow();
        } else {
          log.debug('another instance runs this reactor; standing by');
        }
      } catch (error) {
        markReady();
        if (error instanceof ReactorFencedOut || error instanceof StoppedMidRetry || stopping) {
          // stopped or replaced: nothing to report
        } else if (isDatabaseUnreachable(error)) {
          // A restart or failover of the database, not a fault of the reactor: it resumes once it is back.
          log.warn({ err: error }, 'reactor run lost the database; restarting');
        } else {
          log.error({ err: error }, 'reactor run failed; restarting');
        }
      } finally {
        markReady();
        await lock.end().catch(() => undefined);
      }
      if (!stopping) await sleep(pollMs);
    }
  };

  const done = run();
  return {
    done,
    ready,
    stop: async () => {
      stopping = true;
      wake?.();
      await closeSubscription?.();
      await done.catch(() => undefined);
    },
  };
};

/** A stop came while an event waited for its retry: it is neither handled nor parked, and comes again. */
class StoppedMidRetry extends Error {
  override readonly name = 'StoppedMidRetry';
}
