import cliProgress from 'cli-progress';
import { projections } from '../../projections/index.ts';
import type { Projection } from '../../projections/runtime/projection.ts';
import {
  startRebuilds,
  type Check,
  type RebuildObserver,
  type RebuildResult,
  type RunningRebuilds,
} from '../../projections/runtime/rebuild.ts';
import type { ProjectionRuntime } from '../../projections/runtime/runProjection.ts';
import type { Position } from '../eventStore/eventStore.ts';
import { StartupError } from '../postgres/database.ts';
import type { CliContext } from './main.ts';
import { openReadSide } from './readSide.ts';

// `fastflix projections rebuild <name>|--all`: every named read model rebuilt side by side, each with
// a progress bar (on a terminal) or a line per phase (otherwise). Ctrl-C stops after the batch in
// hand; rerunning continues from there.

const whole = (n: number): string => Math.round(n).toLocaleString('en-US');

export const rebuildCommand = async (
  context: CliContext,
  name: string | undefined,
  options: { readonly all?: boolean; readonly force?: boolean; readonly batchSize: number },
): Promise<void> => {
  const chosen = choose(name, options.all === true);
  const readSide = await openReadSide(context, chosen.length + 4);
  const runtime: ProjectionRuntime = {
    pool: readSide.pool,
    lockConnection: { connectionString: readSide.url.href },
    store: readSide.store,
    registry: readSide.registry,
    log: context.log,
    batchSize: options.batchSize,
  };
  const bars = process.stderr.isTTY
    ? new cliProgress.MultiBar(
        {
          format: '{name} |{bar}| {percentage}% | {value}/{total} events | {speed} events/s | ETA {eta_formatted} | {phase}',
          hideCursor: true,
          etaBuffer: 50,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const say = (line: string): void => {
    if (bars === undefined) process.stdout.write(`${line}\n`);
    else bars.log(`${line}\n`);
  };
  let running: RunningRebuilds | undefined;
  let interrupted = false;
  const interrupt = (): void => {
    interrupted = true;
    say('Stopping after the batches in hand; rerun the same command to continue. (Ctrl-C again quits at once.)');
    process.once('SIGINT', () => process.exit(130));
    void running?.stop();
  };
  process.once('SIGINT', interrupt);
  try {
    await readSide.prepareFullRead();
    running = startRebuilds(chosen, runtime, (projection) => ({
      force: options.force === true,
      observer: observe(projection, readSide.countEvents, bars, say),
    }));
    if (interrupted) void running.stop();
    const results = await running.done;
    bars?.stop();
    chosen.forEach((projection, index) => {
      const result = results[index];
      if (result !== undefined) say(describeRebuild(projection, result));
    });
    if (interrupted || results.some((result) => result.outcome === 'interrupted')) process.exitCode = 130;
    else if (results.some((result) => result.outcome !== 'swapped')) process.exitCode = 1;
  } finally {
    process.removeListener('SIGINT', interrupt);
    bars?.stop();
    await readSide.close();
  }
};

const choose = (name: string | undefined, all: boolean): readonly Projection[] => {
  const names = projections.map((projection) => projection.name).join(', ');
  if (all && name !== undefined) throw new StartupError('name one projection or give --all, not both');
  if (all) return projections;
  if (name === undefined) throw new StartupError(`name a projection to rebuild (${names}), or give --all`);
  const projection = projections.find((candidate) => candidate.name === name);
  if (projection === undefined) throw new StartupError(`no projection named "${name}" (there are: ${names})`);
  return [projection];
};

/** A progress bar (on a terminal) or a line now and then, per projection. */
const observe = (
  projection: Projection,
  countEvents: (types: readonly string[], after: Position) => Promise<number | undefined>,
  bars: cliProgress.MultiBar | undefined,
  say: (line: string) => void,
): RebuildObserver => {
  let bar: cliProgress.SingleBar | undefined;
  let total: number | undefined;
  let startedAt = performance.now();
  let lastLine = 0;
  return {
    started: ({ from, resumed, discarded }) => {
      startedAt = performance.now();
      if (discarded) say(`${projection.name}: a rebuild left by another version of the projection was discarded; starting over.`);
      if (resumed) say(`${projection.name}: resuming the rebuild after position ${from}.`);
      bar = bars?.create(1, 0, { name: projection.name.padEnd(12), speed: '0', phase: 'counting' });
      void countEvents(projection.eventTypes, from).then(
        (counted) => {
          total = counted;
          bar?.setTotal(Math.max(1, counted ?? 1));
        },
        () => undefined,
      );
    },
    phase: (phase, detail) => {
      bar?.update({ phase });
      if (bars === undefined || phase !== 'catch-up') say(`${projection.name}: ${detail}`);
    },
    progress: ({ applied }) => {
      const speed = whole(applied / Math.max(0.001, (performance.now() - startedAt) / 1_000));
      if (bar !== undefined) {
        if (total !== undefined && applied > total) bar.setTotal(applied);
        bar.update(applied, { speed });
      } else if (performance.now() - lastLine > 5_000) {
        lastLine = performance.now();
        say(`${projection.name}: ${whole(applied)}${total === undefined ? '' : ` of ~${whole(total)}`} events, ${speed} events/s`);
      }
    },
  };
};

const describeCheck = (check: Check): string[] => {
  if (check.kind !== 'compared') return [`  not compared with the live read model: ${check.reason}`];
  const { comparison } = check;
  return comparison.tables.flatMap((table) => {
    const rows = (count: number | null): string => (count === null ? 'no such table' : `${whole(count)} rows`);
    if (table.same) return [`  ${table.table}: identical (${rows(table.liveRows)})`];
    return [
      `  ${table.table}: DIFFERS: live ${rows(table.liveRows)}, rebuild ${rows(table.shadowRows)}`,
      ...table.onlyLive.map((row) => `    only in live:        ${row}`),
      ...table.onlyShadow.map((row) => `    only in the rebuild: ${row}`),
    ];
  });
};

export const describeRebuild = (projection: Projection, result: RebuildResult): string => {
  const name = projection.name;
  switch (result.outcome) {
    case 'swapped': {
      const seconds = result.timings.totalMs / 1_000;
      return [
        `${name}: rebuilt from ${whole(result.applied)} events in ${seconds.toFixed(1)} s (catch-up ${whole((result.applied / Math.max(1, result.timings.catchUpMs)) * 1_000)} events/s); swapped in at position ${result.position}.`,
        ...describeCheck(result.check),
        ...(result.resolvedDeadLetters > 0
          ? [`  ${result.resolvedDeadLetters} parked event(s) of the live projection were applied by the rebuild and marked retried.`]
          : []),
        ...(result.stillStopped
          ? [`  ${name} is still stopped at a parked event after the new checkpoint (see \`fastflix projections status\`).`]
          : []),
      ].join('\n');
    }
    case 'refused':
      return [
        `${name}: NOT swapped: the rebuild ${result.check.kind === 'compared' ? 'differs from the live read model' : 'could not be checked against the live read model'} (rerun with --force to swap anyway; the rebuild is kept at position ${result.position}).`,
        ...describeCheck(result.check),
      ].join('\n');
    case 'interrupted':
      return `${name}: interrupted after ${whole(result.applied)} events, at position ${result.position}; rerun to continue from there.`;
    case 'parked':
      return (
        `${name}: the rebuild stopped at an event it cannot apply (after position ${result.position}): ${result.error}. ` +
        `Fix the projection (bumping its version starts the rebuild over), or \`fastflix projections retry|skip ${name}@rebuild\`, then rerun.`
      );
    case 'busy':
      return `${name}: not rebuilt: ${result.reason}.`;
  }
};
