import type { Position } from '../../infrastructure/eventStore/eventStore.ts';
import { catchUpTogether, type RunningCatchUp } from './catchUpTogether.ts';
import type { Comparison } from './compare.ts';
import type { Projection } from './projection.ts';
import { rebuildJob } from './rebuildJob.ts';
import type { ProjectionRuntime } from './runProjection.ts';
import type { SwapResult } from './swap.ts';

// A rebuild: the read model built again from position 0 into its shadow schema while the live one
// keeps serving, then swapped in. Every step commits its checkpoint, so a rebuild stopped anywhere
// (Ctrl-C, a crash) resumes from where the shadow got to. Projections only write their own tables
// (mail, notifications and jobs are reactors, never projections), so replaying fires no side effects.
// The steps of one rebuild are in rebuildJob.ts; several rebuilds share one read of the log.

export type RebuildPhase = 'catch-up' | 'indexes' | 'hand-over' | 'align' | 'compare' | 'swap';

export interface RebuildObserver {
  /** The shadow starts (or resumes) after `from`; -1: from the beginning. */
  readonly started?: (start: { readonly from: Position; readonly resumed: boolean; readonly discarded: boolean }) => void;
  readonly phase?: (phase: RebuildPhase, detail: string) => void;
  /** Events applied to the shadow so far by this run, and its checkpoint. */
  readonly progress?: (progress: { readonly position: Position; readonly applied: number }) => void;
}

export interface RebuildOptions {
  /** Swap even when the shadow differs from the live read model, or cannot be compared with it. */
  readonly force?: boolean;
  /** How long to wait for the live runner (of a running service) to hand its lock over. */
  readonly handOverWaitMs?: number;
  readonly observer?: RebuildObserver;
}

/** Whether the shadow was checked against the live read model, and how it came out. */
export type Check =
  | { readonly kind: 'compared'; readonly comparison: Comparison }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'impossible'; readonly reason: string };

export interface RebuildTimings {
  readonly catchUpMs: number;
  readonly totalMs: number;
}

export type RebuildResult =
  | ({ readonly outcome: 'swapped'; readonly applied: number; readonly check: Check; readonly timings: RebuildTimings } & SwapResult)
  /** Not swapped: the shadow differs from (or cannot be compared with) the live one and `force` was not given. */
  | { readonly outcome: 'refused'; readonly applied: number; readonly check: Check; readonly position: Position }
  | { readonly outcome: 'interrupted'; readonly applied: number; readonly position: Position }
  /** The shadow (state `<name>@rebuild`) stopped at an event it cannot apply. */
  | { readonly outcome: 'parked'; readonly applied: number; readonly position: Position; readonly error: string }
  | { readonly outcome: 'busy'; readonly reason: string };

export interface RunningRebuild {
  readonly done: Promise<RebuildResult>;
  /** Stops after the batch in hand (committed): a later rebuild resumes from there. */
  readonly stop: () => Promise<void>;
}

export interface RunningRebuilds {
  readonly done: Promise<RebuildResult[]>;
  /** Stops every rebuild after the batch in hand (committed): a later rebuild resumes from there. */
  readonly stop: () => Promise<void>;
}

/**
 * Rebuilds several read models side by side: one catch-up reads the log once for all of them
 * (catchUpTogether.ts), then each finishes alone: what is left of its catch-up, hand-over, check, swap.
 */
export const startRebuilds = (
  projections: readonly Projection[],
  runtime: ProjectionRuntime,
  options: (projection: Projection) => RebuildOptions = () => ({}),
): RunningRebuilds => {
  const jobs = projections.map((projection) => rebuildJob(projection, runtime, options(projection)));
  let stopping = false;
  let together: RunningCatchUp | undefined;

  const run = async (): Promise<RebuildResult[]> => {
    try {
      const prepared = await Promise.all(jobs.map((job) => job.prepare()));
      const ready = jobs.filter((_, index) => prepared[index] === 'ready');
      if (!stopping && ready.length > 0) {
        together = catchUpTogether(
          ready.map((job) => job.entry),
          runtime,
        );
        // A failure here only means each rebuild does more of its catch-up alone.
        await together.done.catch((error: unknown) =>
          runtime.log.warn({ err: error }, 'the shared catch-up failed; rebuilding one by one'),
        );
      }
      return await Promise.all(
        jobs.map((job, index) => {
          const outcome = prepared[index];
          return outcome === undefined || outcome === 'ready' ? job.complete() : Promise.resolve(outcome);
        }),
      );
    } finally {
      await Promise.all(jobs.map((job) => job.release()));
    }
  };

  const done = run();
  return {
    done,
    stop: async () => {
      stopping = true;
      await Promise.all([together?.stop(), ...jobs.map((job) => job.stop())]);
      await done.catch(() => undefined);
    },
  };
};

export const startRebuild = (projection: Projection, runtime: ProjectionRuntime, options: RebuildOptions = {}): RunningRebuild => {
  const running = startRebuilds([projection], runtime, () => options);
  return {
    done: running.done.then(([result]) => {
      if (result === undefined) throw new Error('a rebuild of one projection came to no result');
      return result;
    }),
    stop: running.stop,
  };
};
