import type { Position } from '../../infrastructure/eventStore/eventStore.ts';
import { inTransaction } from '../../infrastructure/postgres/transaction.ts';
import type { TogetherEntry } from './catchUpTogether.ts';
import { compareSchemas, quoteIdentifier } from './compare.ts';
import { deferIndexes, restoreDeferredIndexes } from './deferredIndexes.ts';
import { holdLock, LockUnavailable, type HeldLock } from './lock.ts';
import { liveSchema, rebuildSchema, rebuildStateName, type Projection } from './projection.ts';
import type { Check, RebuildOptions, RebuildResult } from './rebuild.ts';
import { runProjection, type ProjectionRuntime, type ProjectionTarget, type RunningProjection } from './runProjection.ts';
import { ensureProjectionSchema } from './schema.ts';
import { swapIntoLive } from './swap.ts';

interface State {
  readonly position: Position;
  readonly version: number;
  readonly status: string;
  readonly error: string | null;
}

export interface RebuildJob {
  /** Takes the rebuild's lock, sets up (or resumes) the shadow; a result when it cannot go on. */
  readonly prepare: () => Promise<RebuildResult | 'ready'>;
  /** The shadow, for a catch-up shared with other rebuilds. */
  readonly entry: TogetherEntry;
  /** Catches up what is left, then hands over, checks and swaps. */
  readonly complete: () => Promise<RebuildResult>;
  readonly stop: () => Promise<void>;
  readonly release: () => Promise<void>;
}

/** The steps of one projection's rebuild, for `startRebuilds` to run alone or beside others. */
export const rebuildJob = (projection: Projection, runtime: ProjectionRuntime, options: RebuildOptions = {}): RebuildJob => {
  const shadow = { stateName: rebuildStateName(projection), schema: rebuildSchema(projection) };
  const live = { stateName: projection.name, schema: liveSchema(projection) };
  const observer = options.observer ?? {};
  let stopping = false;
  let current: RunningProjection | undefined;
  let applied = 0;
  let started = performance.now();
  let guard: HeldLock | undefined;

  const stateOf = async (name: string): Promise<State | undefined> => {
    const { rows } = await runtime.pool.query<{ position: string; version: number; status: string; error: string | null }>(
      'SELECT position, version, status, error FROM projection_state WHERE name = $1',
      [name],
    );
    const row = rows[0];
    return row === undefined ? undefined : { ...row, position: BigInt(row.position) };
  };

  /** Runs a target under the lock this rebuild holds for it, until `extra` says to stop. */
  const runTarget = async (
    target: typeof shadow,
    extra: Pick<ProjectionTarget, 'untilCaughtUp' | 'untilPosition'>,
  ): Promise<'stopped' | 'caught-up' | 'parked'> => {
    if (stopping) return 'stopped';
    const base = applied;
    const counts = target === shadow;
    current = runProjection(projection, runtime, {
      ...target,
      ...extra,
      lockHeld: true,
      onProgress: ({ position, applied: now }) => {
        if (!counts) return;
        applied = base + now;
        observer.progress?.({ position, applied });
      },
    });
    try {
      return await current.done;
    } finally {
      current = undefined;
    }
  };

  /** A shadow left by a rebuild of another version of the projection cannot be resumed. */
  const discardStale = async (): Promise<boolean> => {
    const stale = await stateOf(shadow.stateName);
    if (stale === undefined || stale.version === projection.version) return false;
    await inTransaction(runtime.pool, async (client) => {
      await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(shadow.schema)} CASCADE`);
      await client.query('DELETE FROM projection_state WHERE name = $1', [shadow.stateName]);
    });
    return true;
  };

  const ended = async (outcome: 'stopped' | 'parked'): Promise<RebuildResult> => {
    const state = await stateOf(shadow.stateName);
    const position = state?.position ?? -1n;
    if (outcome === 'stopped') return { outcome: 'interrupted', applied, position };
    return { outcome: 'parked', applied, position, error: state?.error ?? 'unknown error' };
  };

  const positionOf = async (name: string): Promise<Position> => {
    const state = await stateOf(name);
    if (state === undefined) throw new Error(`the state row ${name} vanished during the rebuild`);
    return state.position;
  };

  /** Under both locks: bring the two to one position, compare them there, swap. */
  const finish = async (catchUpMs: number): Promise<RebuildResult> => {
    const liveState = await stateOf(live.stateName);
    // Never swap in tables behind the live ones: a reader would see time go backwards.
    if (liveState !== undefined && (await positionOf(shadow.stateName)) < liveState.position) {
      observer.phase?.('align', `bringing the rebuild up to the live checkpoint ${liveState.position}`);
      const outcome = await runTarget(shadow, { untilPosition: liveState.position });
      if (outcome !== 'caught-up') return ended(outcome);
    }
    const check = await checkAgainstLive(liveState);
    if (check === 'stopped' || stopping) return ended('stopped');
    const position = await positionOf(shadow.stateName);
    if (check.kind === 'impossible' || (check.kind === 'compared' && !check.comparison.identical)) {
      if (options.force !== true) return { outcome: 'refused', applied, check, position };
    }
    observer.phase?.('swap', `swapping ${shadow.schema} into ${live.schema}`);
    const liveAt = (await stateOf(live.stateName))?.position ?? null;
    const swapped = await swapIntoLive(runtime.pool, projection, { shadow: position, live: liveAt });
    return { outcome: 'swapped', applied, check, timings: { catchUpMs, totalMs: performance.now() - started }, ...swapped };
  };

  /** Compares the two where they overlap: at one position, the live one brought up to the shadow's if behind. */
  const checkAgainstLive = async (liveState: State | undefined): Promise<Check | 'stopped'> => {
    if (liveState === undefined) return { kind: 'skipped', reason: 'there is no live read model yet' };
    if (liveState.version !== projection.version) {
      return {
        kind: 'skipped',
        reason: `its version changed (${liveState.version} → ${projection.version}), so the tables may rightly differ`,
      };
    }
    const shadowPosition = await positionOf(shadow.stateName);
    if (shadowPosition > liveState.position) {
      observer.phase?.('align', `bringing the live read model up to the rebuild's checkpoint ${shadowPosition}`);
      const outcome = await runTarget(live, { untilPosition: shadowPosition });
      if (outcome === 'stopped') return 'stopped';
      if (outcome === 'parked') {
        return {
          kind: 'impossible',
          reason: 'the live read model is stopped at a parked event the rebuild got past, so the two cannot be brought to one position',
        };
      }
    }
    observer.phase?.('compare', `comparing ${shadow.schema} with ${live.schema}`);
    return { kind: 'compared', comparison: await compareSchemas(runtime.pool, live.schema, shadow.schema) };
  };

  const prepare = async (): Promise<RebuildResult | 'ready'> => {
    started = performance.now();
    try {
      guard = await holdLock(runtime.lockConnection, shadow.stateName);
    } catch (error) {
      if (error instanceof LockUnavailable) return { outcome: 'busy', reason: `another rebuild of ${projection.name} is running` };
      throw error;
    }
    const discarded = await discardStale();
    const before = await stateOf(shadow.stateName);
    observer.started?.({ from: before?.position ?? -1n, resumed: before !== undefined && before.position >= 0n, discarded });
    if ((await ensureProjectionSchema(runtime.pool, projection, shadow)) === 'created') await deferIndexes(runtime.pool, shadow.schema);
    observer.phase?.('catch-up', `building ${shadow.schema} from the log`);
    return 'ready';
  };

  const complete = async (): Promise<RebuildResult> => {
    // What a shared catch-up left: events since, or a batch that failed there (retried, or parked, here).
    const caughtUp = await runTarget(shadow, { untilCaughtUp: true });
    if (caughtUp !== 'caught-up') return ended(caughtUp);
    const catchUpMs = performance.now() - started;
    observer.phase?.('indexes', `making the indexes of ${shadow.schema}`);
    await restoreDeferredIndexes(runtime.pool, shadow.schema);
    if (stopping) return ended('stopped');
    observer.phase?.('hand-over', `waiting for the live runner of ${projection.name} to stand by`);
    let liveLock: HeldLock;
    try {
      liveLock = await holdLock(runtime.lockConnection, live.stateName, { waitMs: options.handOverWaitMs ?? 60_000 });
    } catch (error) {
      if (error instanceof LockUnavailable) return { outcome: 'busy', reason: `${error.message}; rerun to resume` };
      throw error;
    }
    try {
      return await finish(catchUpMs);
    } finally {
      await liveLock.release();
    }
  };

  return {
    prepare,
    entry: {
      projection,
      target: shadow,
      onProgress: ({ position, applied: now }) => {
        applied = now;
        observer.progress?.({ position, applied });
      },
    },
    complete,
    stop: async () => {
      stopping = true;
      await current?.stop();
    },
    release: async () => {
      await guard?.release();
      guard = undefined;
    },
  };
};
