import * as E from 'fp-ts/lib/Either.js';
import pg from 'pg';
import type { DomainEvent } from '../../domain/events.ts';
import type { EventRegistry, RecordedEvent } from '../../infrastructure/eventStore/eventRegistry.ts';
import type { EventStore, Position, StoredEvent, SubscriptionBatch } from '../../infrastructure/eventStore/eventStore.ts';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import type { ProjectionMetrics } from '../../infrastructure/metrics/metrics.ts';
import { connectionTimeoutMs } from '../../infrastructure/postgres/pool.ts';
import { inTransaction } from '../../infrastructure/postgres/transaction.ts';
import { isDatabaseUnreachable } from '../../infrastructure/postgres/unreachable.ts';
import { lockWanted, tryLockStatement } from './lock.ts';
import type { ProjectionPositions } from './positions.ts';
import type { Projection } from './projection.ts';
import { ensureProjectionSchema } from './schema.ts';
import { batchText, literal } from './statements.ts';
import { batchAttributes } from './batchSpan.ts';
import { withBatchSpan } from '../../infrastructure/tracing/eventSpans.ts';

export interface ProjectionRuntime {
  readonly pool: pg.Pool;
  /** For the session that holds the projection's advisory lock. */
  readonly lockConnection: pg.ClientConfig;
  readonly store: EventStore;
  readonly registry: EventRegistry<DomainEvent>;
  readonly log: Logger;
  readonly metrics?: ProjectionMetrics;
  readonly positions?: ProjectionPositions;
  /** Delays before the retries of a failing event; after the last, it is parked. */
  readonly retryDelaysMs?: readonly number[];
  /**
   * How often a standby runner tries for the lock again, a parked one looks whether an operator
   * resolved its event, and a running one whether an operator waits for its lock.
   */
  readonly standbyPollMs?: number;
  readonly batchSize?: number;
  /**
   * A live run stores a checkpoint moved only past other projections' events at most this often, and
   * this long after the last such move at the latest.
   */
  readonly idleCheckpointMs?: number;
}

/** Where a run writes: the live read model, or the shadow of a rebuild. */
export interface ProjectionTarget {
  readonly stateName: string;
  readonly schema: string;
  /** Stop once caught up with the head of the log (rebuilds); live runs follow forever. */
  readonly untilCaughtUp?: boolean;
  /** Stop once the checkpoint reaches this position, leaving later events unapplied (a rebuild's alignment). */
  readonly untilPosition?: Position;
  /** The caller holds this state's advisory lock (a rebuild): run once, without taking it. */
  readonly lockHeld?: boolean;
  readonly onProgress?: (progress: { readonly position: Position; readonly applied: number }) => void;
}

export interface RunningProjection {
  readonly stop: () => Promise<void>;
  /**
   * Settles when the run ends: stopped, caught up (rebuilds), or parked at a poison event. A live run
   * never settles 'parked': it waits for an operator's retry or skip, then resumes.
   */
  readonly done: Promise<'stopped' | 'caught-up' | 'parked'>;
}

/** Another instance moved the checkpoint: this one must stand down rather than apply twice. */
export class FencedOut extends Error {
  override readonly name = 'FencedOut';
}

class Poisoned extends Error {
  override readonly name = 'Poisoned';
  constructor(
    readonly event: StoredEvent,
    readonly reason: unknown,
    readonly attempts: number,
  ) {
    super(`event ${event.eventId} at ${event.position} could not be applied`);
  }
}

/**
 * Runs one projection: waits for its advisory lock (one writer per projection across all instances;
 * the others stand by), follows the log from its checkpoint, and applies each batch in a transaction
 * that also moves the checkpoint, fenced on the old value. An event that keeps failing is retried
 * with backoff, then parked in projection_dead_letters and the projection stops there.
 */
export const runProjection = (projection: Projection, runtime: ProjectionRuntime, target: ProjectionTarget): RunningProjection => {
  const log = runtime.log.child({ projection: projection.name, state: target.stateName });
  const retryDelays = runtime.retryDelaysMs ?? [100, 500, 2_000];
  const pollMs = runtime.standbyPollMs ?? 2_000;
  const oneShot = target.untilCaughtUp === true || target.untilPosition !== undefined || target.lockHeld === true;
  const idleCheckpointMs = runtime.idleCheckpointMs ?? 250;
  let stopping = false;
  let wakeStandby: (() => void) | undefined;
  let closeSubscription: (() => Promise<void>) | undefined;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeStandby = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const applyBatch = async (events: readonly StoredEvent[], from: Position, to: Position): Promise<void> => {
    const apply = (): Promise<void> =>
      applyToTarget(runtime.pool, projection, target, events.map(decode), from, to, runtime.positions !== undefined);
    // A batch that only moves the checkpoint is no one's work worth a span.
    if (events.length === 0) return apply();
    await withBatchSpan(`projection ${target.stateName} batch`, events, batchAttributes(target.stateName, events, to), apply);
  };

  const decode = (event: StoredEvent): RecordedEvent<DomainEvent> => {
    const decoded = runtime.registry.decode(event);
    if (E.isLeft(decoded)) throw decoded.left;
    return decoded.right;
  };

  /** The batch at once; if it fails, event by event, to find (and retry) the one that fails. */
  const applyWithRetries = async (events: readonly StoredEvent[], from: Position, to: Position): Promise<void> => {
    try {
      await applyBatch(events, from, to);
      return;
    } catch (error) {
      if (error instanceof FencedOut || isInfrastructureFailure(error)) throw error;
    }
    let checkpoint = from;
    for (const event of events) {
      for (let attempt = 1; ; attempt++) {
        try {
          await applyBatch([event], checkpoint, event.position);
          break;
        } catch (error) {
          if (error instanceof FencedOut || isInfrastructureFailure(error)) throw error;
          const delay = retryDelays[attempt - 1];
          if (delay === undefined || stopping) throw new Poisoned(event, error, attempt);
          log.warn(
            { err: error, position: event.position.toString(), correlationId: event.metadata.correlationId, attempt },
            'event failed; retrying',
          );
          await sleep(delay);
        }
      }
      checkpoint = event.position;
    }
    if (checkpoint !== to) await applyBatch([], checkpoint, to);
  };

  const park = async (poisoned: Poisoned): Promise<void> => {
    const message = poisoned.reason instanceof Error ? poisoned.reason.message : String(poisoned.reason);
    await inTransaction(runtime.pool, async (client) => {
      await client.query(
        'INSERT INTO projection_dead_letters (projection, position, event_id, event_type, error, attempts) VALUES ($1, $2, $3, $4, $5, $6)',
        [target.stateName, poisoned.event.position, poisoned.event.eventId, poisoned.event.type, message, poisoned.attempts],
      );
      await client.query("UPDATE projection_state SET status = 'stopped', error = $2, updated_at = now() WHERE name = $1", [
        target.stateName,
        message,
      ]);
    });
    runtime.metrics?.projectionStopped.set({ projection: target.stateName }, 1);
    log.error(
      {
        err: poisoned.reason,
        position: poisoned.event.position.toString(),
        eventType: poisoned.event.type,
        correlationId: poisoned.event.metadata.correlationId,
      },
      'projection stopped at an event it cannot apply; see `fastflix projections status`',
    );
  };

  const follow = async (): Promise<'stopped' | 'caught-up' | 'parked'> => {
    const state = await runtime.pool.query<{ position: string; status: string }>(
      'SELECT position, status FROM projection_state WHERE name = $1',
      [target.stateName],
    );
    const row = state.rows[0];
    if (row === undefined) throw new Error(`no projection_state row for ${target.stateName}`);
    if (row.status === 'stopped') {
      runtime.metrics?.projectionStopped.set({ projection: target.stateName }, 1);
      return 'parked';
    }
    runtime.metrics?.projectionStopped.set({ projection: target.stateName }, 0);
    let position = BigInt(row.position);
    const until = target.untilPosition;
    if (until !== undefined && position >= until) return 'caught-up';
    // A subscription yields only when its checkpoint moves: already at the head, there is nothing to wait for.
    if (target.untilCaughtUp === true) {
      const head = await runtime.store.headPosition();
      if (head === null || position >= head) return 'caught-up';
    }
    const subscription = runtime.store.subscribeToAll({
      fromPosition: position < 0n ? 'start' : position,
      filter: { eventTypes: projection.eventTypes },
      maxBatchSize: runtime.batchSize ?? 1_000,
    });
    closeSubscription = subscription.close;
    // A stop that came while this run was starting up must not be missed.
    if (stopping) {
      await subscription.close();
      return 'stopped';
    }
    let applied = 0;
    let lastLagCheck = 0;
    /** The checkpoint as committed, which may trail `position` by batches that had nothing to apply. */
    let stored = position;
    let storedAt = Date.now();
    // Writes of the checkpoint, one at a time: the loop's, and the timer's that stores an idle move
    // once the log has gone quiet (status, lag metrics and other processes read the table).
    let writing: Promise<void> = Promise.resolve();
    const serially = (work: () => Promise<void>): Promise<void> => (writing = writing.catch(() => undefined).then(work));
    const store = async (events: readonly StoredEvent[], checkpoint: Position): Promise<void> => {
      await applyWithRetries(events, stored, checkpoint);
      stored = checkpoint;
      storedAt = Date.now();
      // The requests that caused the batch, to follow one from its request line to its read models.
      if (events.length > 0 && log.debug()) {
        log.debug({ events: events.length, position: checkpoint.toString(), correlationIds: correlationIdsOf(events) }, 'batch applied');
      }
    };
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    const storeLater = (): void => {
      flushTimer ??= setTimeout(() => {
        flushTimer = undefined;
        serially(async () => {
          if (stored !== position && !stopping) await store([], position);
        }).catch((error: unknown) => log.debug({ err: error }, 'could not store an idle checkpoint; the loop will'));
      }, idleCheckpointMs);
    };
    // An operator waiting for the lock (a rebuild about to swap) gets it once the batch in hand is committed.
    const handOver =
      target.lockHeld === true
        ? undefined
        : setInterval(() => {
            lockWanted(runtime.pool, target.stateName).then(
              (wanted) => {
                if (!wanted || stopping) return;
                log.info('an operator waits for this projection; handing it over');
                void subscription.close();
              },
              (error: unknown) => log.debug({ err: error }, 'could not look for lock waiters'),
            );
          }, pollMs);
    try {
      // Batches read ahead are decoded on arrival (the registry remembers), while the batch before them is written.
      const decodeAhead = (batch: SubscriptionBatch): void => {
        for (const event of batch.events) runtime.registry.decode(event);
      };
      for await (const batch of readAhead(subscription, decodeAhead)) {
        if (stopping) return 'stopped';
        const beyond = until !== undefined && batch.checkpoint > until;
        const events = beyond ? batch.events.filter((event) => event.position <= until) : batch.events;
        const checkpoint = beyond ? until : batch.checkpoint;
        // A live batch with nothing for this projection (the log moved on with other events) moves
        // the checkpoint in memory, and to the table at most every idleCheckpointMs: under load such
        // batches come many times a second, and re-reading them after a restart finds nothing to apply.
        const storing = events.length > 0 || oneShot || Date.now() - storedAt >= idleCheckpointMs;
        if (storing) await serially(() => store(events, checkpoint));
        else storeLater();
        position = checkpoint;
        applied += events.length;
        runtime.metrics?.projectionEventsApplied.inc({ projection: target.stateName }, events.length);
        // A stored checkpoint was announced by its own commit; one kept in memory is announced here.
        if (storing) runtime.positions?.learned(target.stateName, position);
        else runtime.positions?.advanced(target.stateName, position);
        target.onProgress?.({ position, applied });
        if (Date.now() - lastLagCheck > 1_000) {
          lastLagCheck = Date.now();
          await reportLag(position, events[events.length - 1]);
        }
        if ((batch.caughtUp && target.untilCaughtUp === true) || (until !== undefined && position >= until)) return 'caught-up';
      }
      return 'stopped';
    } catch (error) {
      if (error instanceof Poisoned) {
        await park(error);
        return 'parked';
      }
      throw error;
    } finally {
      clearInterval(handOver);
      closeSubscription = undefined;
      await subscription.close();
      clearTimeout(flushTimer);
      await writing.catch(() => undefined);
      if (stored !== position) {
        await applyBatch([], stored, position).catch((error: unknown) =>
          log.debug({ err: error }, 'could not store the checkpoint reached; the one stored before stands'),
        );
      }
    }
  };

  const reportLag = async (position: Position, last: StoredEvent | undefined): Promise<void> => {
    if (runtime.metrics === undefined) return;
    const head = await runtime.store.headPosition();
    const behind = head === null || head <= position ? 0 : Number(head - position);
    runtime.metrics.projectionLagEvents.set({ projection: target.stateName }, behind);
    // How old the last applied event is while others wait behind it: no read of the newest event,
    // which on EventStoreDB pages backwards past every record of its own without bound.
    const seconds = behind === 0 || last === undefined ? 0 : (Date.now() - last.recordedAt.getTime()) / 1000;
    runtime.metrics.projectionLagSeconds.set({ projection: target.stateName }, Math.max(0, seconds));
  };

  /** A parked live run waits, without the lock, until `fastflix projections retry|skip` sets it running. */
  const awaitResolution = async (): Promise<void> => {
    while (!stopping) {
      await sleep(pollMs);
      if (stopping) return;
      try {
        const { rows } = await runtime.pool.query<{ status: string }>('SELECT status FROM projection_state WHERE name = $1', [
          target.stateName,
        ]);
        if (rows[0]?.status !== 'stopped') {
          // Here too, not only in `follow`: an instance that loses the race for the lock stands by, and would page on.
          runtime.metrics?.projectionStopped.set({ projection: target.stateName }, 0);
          log.info('the parked event was resolved; resuming');
          return;
        }
      } catch (error) {
        log.warn({ err: error }, 'could not read the status of a parked projection');
      }
    }
  };

  const run = async (): Promise<'stopped' | 'caught-up' | 'parked'> => {
    if (target.lockHeld === true) {
      await ensureProjectionSchema(runtime.pool, projection, target);
      return follow();
    }
    while (!stopping) {
      let parked = false;
      const lock = new pg.Client({
        connectionTimeoutMillis: connectionTimeoutMs,
        ...runtime.lockConnection,
        application_name: `fastflix-projector-${projection.name}`,
      });
      lock.on('error', () => undefined);
      try {
        await lock.connect();
        const { rows } = await lock.query<{ locked: boolean }>(tryLockStatement, [target.stateName]);
        if (rows[0]?.locked !== true) {
          log.debug('another instance writes this projection; standing by');
        } else {
          await ensureProjectionSchema(runtime.pool, projection, target);
          // Losing the lock's connection means another instance may take over: stop following.
          lock.once('end', () => void closeSubscription?.());
          const outcome = await follow();
          if (outcome === 'parked' && !oneShot) parked = true;
          else if (outcome !== 'stopped' || stopping) return outcome;
        }
      } catch (error) {
        // The database gone (a restart, a failover) is no fault of the projection's: it starts again once
        // the database is back, and the outage has its own alerts.
        if (error instanceof FencedOut || stopping) {
          // stopped or replaced: nothing to report
        } else if (isDatabaseUnreachable(error)) log.warn({ err: error }, 'projection run lost the database; restarting');
        else log.error({ err: error }, 'projection run failed; restarting');
      } finally {
        await lock.end().catch(() => undefined);
      }
      if (parked) await awaitResolution();
      else if (!stopping) await sleep(pollMs);
    }
    return 'stopped';
  };

  const done = run();
  return {
    done,
    stop: async () => {
      stopping = true;
      wakeStandby?.();
      await closeSubscription?.();
      await done.catch(() => undefined);
    },
  };
};

/**
 * A lost connection or a server shutting down is no fault of the event: the run restarts and tries
 * again later rather than parking it. (SQLSTATE classes 08, connection exception, and 57, operator
 * intervention; or a connection that ended without a SQLSTATE.)
 */
const isInfrastructureFailure = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code !== undefined) return code.startsWith('08') || code.startsWith('57') || code === 'ECONNREFUSED' || code === 'ECONNRESET';
  return /Connection terminated|connection error|Client has encountered a connection error/i.test(error.message);
};

/**
 * Applies events to a target and moves its checkpoint from `from` to `to`, in one transaction: the
 * checkpoint update is fenced on its old value, so that two writers can never both apply a batch.
 *
 * These transactions commit without waiting for the WAL flush (`synchronous_commit = off`). A crash
 * can then lose the last few of them, but each loses its read-model writes and its checkpoint move
 * together, so the projector applies those events again from the checkpoint that did survive: nothing
 * lost, nothing applied twice, and the events themselves are committed synchronously. What it saves:
 * a transaction waiting for its flush still counts as running, and every reader of the log reads
 * only below the oldest running transaction, so each projector's flush held back every subscriber —
 * and the fsyncs competed with the appends'. A batch with no events for this projection (the log
 * moved on with others) is one statement.
 */
export const applyToTarget = async (
  pool: pg.Pool,
  projection: Projection,
  target: Pick<ProjectionTarget, 'stateName' | 'schema'>,
  events: readonly RecordedEvent<DomainEvent>[],
  from: Position,
  to: Position,
  announce = false,
): Promise<void> => {
  // The checkpoint moves by advance_projection (migrations/20261126150000000_advance-projection.sql),
  // which fails when fenced out and, with `announce`, notifies the new position for read-your-writes
  // at commit. With the batch's statements, one round trip: it fails, and nothing of the batch stays.
  const advance = `SELECT advance_projection(${literal(target.stateName)}, ${from}, ${to}, ${announce})`;
  try {
    await pool.query(batchText(target.schema, events.length === 0 ? [] : projection.statements(events), advance));
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'FF409') {
      throw new FencedOut(`the checkpoint of ${target.stateName} moved under this instance`);
    }
    throw error;
  }
};

/**
 * Reads the next batch (and `prepare`s it as soon as it arrives) while the one in hand is being
 * applied, so that reading and decoding the log overlap with writing the read model: the part of a
 * catch-up or a rebuild that waits on PostgreSQL. At most one batch ahead.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, prepare: (item: T) => void): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const read = (): Promise<IteratorResult<T>> =>
    iterator.next().then((result) => {
      if (result.done !== true) prepare(result.value);
      return result;
    });
  let next = read();
  for (;;) {
    const result = await next;
    if (result.done === true) return;
    next = read();
    // A read ahead that fails after the consumer stopped must not surface as an unhandled rejection.
    next.catch(() => undefined);
    yield result.value;
  }
}

/** The distinct correlation ids of a batch's events, the first 20. */
export const correlationIdsOf = (events: readonly StoredEvent[]): string[] =>
  [...new Set(events.map((event) => event.metadata.correlationId))].slice(0, 20);
