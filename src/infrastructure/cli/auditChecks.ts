import cliProgress from 'cli-progress';
import type { ChainBreak } from '../../audit/chainCheck.ts';
import { firstPositionFrom, positionOf } from '../../audit/columns.ts';
import { exportLog } from '../../audit/exportLog.ts';
import type { LogPoint } from '../../audit/point.ts';
import { replayInto } from '../../audit/replay.ts';
import { verifyExport } from '../../audit/verifyExport.ts';
import { verifyLog } from '../../audit/verify.ts';
import { projections } from '../../projections/index.ts';
import { StartupError } from '../postgres/database.ts';
import { requirePostgres, withReadSide } from './auditReads.ts';
import type { CliContext } from './main.ts';

// `audit verify|export|verify-export|replay`: the checks over the whole log, and the replay.

const whole = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A bar on a terminal (stderr, so that stdout stays the output), nothing otherwise. */
const progressBar = (label: string): { total: (n: number) => void; update: (n: number) => void; stop: () => void } => {
  if (process.stderr.isTTY !== true) return { total: () => undefined, update: () => undefined, stop: () => undefined };
  const startedAt = performance.now();
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} |{bar}| {percentage}% | {value}/{total} events | {speed} events/s | ETA {eta_formatted}`,
      hideCursor: true,
      fps: 5,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1, 0, { speed: '0' });
  return {
    total: (n) => bar.setTotal(Math.max(1, n)),
    update: (n) => bar.update(n, { speed: whole(n / Math.max(0.001, (performance.now() - startedAt) / 1_000)) }),
    stop: () => bar.stop(),
  };
};

const describeBreak = (found: ChainBreak): string =>
  `${found.streamId} revision ${found.revision}${found.position === null ? '' : ` (position ${found.position})`}: ${found.kind}: ${found.detail}`;

export const verifyCommand = (context: CliContext, options: { stream?: string; json?: boolean }): Promise<void> => {
  requirePostgres(context, 'verify', 'every stream and its recorded head in event_streams');
  return withReadSide(context, async ({ pool }) => {
    const bar = progressBar('verify');
    const startedAt = performance.now();
    const report = await verifyLog(pool, { stream: options.stream, onTotal: bar.total, onProgress: bar.update }).finally(bar.stop);
    if (report.outcome === 'unknown') throw new StartupError(`no stream ${options.stream} in the log`);
    const seconds = (performance.now() - startedAt) / 1_000;
    if (options.json === true) {
      process.stdout.write(
        `${JSON.stringify(
          {
            events: report.events,
            streams: report.streams,
            lastPosition: report.lastPosition?.toString() ?? null,
            intact: report.breaks.length === 0,
            breaks: report.breaks.map((found) => ({
              ...found,
              revision: found.revision.toString(),
              position: found.position?.toString() ?? null,
            })),
          },
          null,
          2,
        )}\n`,
      );
    } else if (report.breaks.length === 0) {
      process.stdout.write(
        `Verified ${whole(report.events)} events in ${whole(report.streams)} stream(s) up to position ${report.lastPosition ?? '-'} ` +
          `in ${seconds.toFixed(1)} s (${whole(report.events / Math.max(0.001, seconds))} events/s): every chain holds and every recorded head matches.\n`,
      );
    } else {
      const [first, ...others] = report.breaks;
      process.stdout.write(
        [
          `BROKEN: ${report.breaks.length} break(s) in ${whole(report.events)} events of ${whole(report.streams)} stream(s).`,
          `First break: ${first === undefined ? '' : describeBreak(first)}`,
          ...others.slice(0, 20).map((found) => `  also: ${describeBreak(found)}`),
          ...(others.length > 20 ? [`  and ${others.length - 20} more (--json lists them all)`] : []),
        ].join('\n') + '\n',
      );
    }
    if (report.breaks.length > 0) process.exitCode = 1;
  });
};

export const exportCommand = (context: CliContext, options: { from?: LogPoint; to?: LogPoint }): Promise<void> => {
  requirePostgres(context, 'export', 'the events as the text that was hashed');
  return withReadSide(context, async ({ pool }) => {
    const bar = progressBar('export');
    const fromPosition = options.from === undefined ? undefined : await firstPositionFrom(pool, options.from);
    const toPosition = options.to === undefined ? undefined : await positionOf(pool, options.to);
    const summary = await exportLog(pool, process.stdout, {
      fromPosition,
      toPosition,
      exportedAt: new Date(),
      onProgress: bar.update,
    }).finally(bar.stop);
    process.stderr.write(
      `Exported ${whole(summary.count)} events of ${whole(summary.streams)} stream(s); body SHA-256 ${summary.bodySha256}.\n`,
    );
  });
};

export const verifyExportCommand = async (file: string, options: { json?: boolean }): Promise<void> => {
  const check = await verifyExport(file);
  if (options.json === true) {
    process.stdout.write(
      `${JSON.stringify(check.ok ? { ok: true, count: check.count, streams: check.streams, bodySha256: check.manifest.bodySha256 } : check, null, 2)}\n`,
    );
  } else if (check.ok) {
    process.stdout.write(
      `${file}: intact: ${whole(check.count)} events of ${whole(check.streams)} stream(s), positions ${check.manifest.firstPosition ?? '-'}–${check.manifest.lastPosition ?? '-'}, body SHA-256 ${check.manifest.bodySha256}.\n`,
    );
  }
  if (!check.ok) {
    if (options.json !== true)
      process.stderr.write(`fastflix: ${file}${check.line === null ? '' : ` line ${check.line}`}: ${check.problem}\n`);
    process.exitCode = 1;
  }
};

export const replayCommand = (context: CliContext, options: { to: LogPoint; into: string; force?: boolean }): Promise<void> => {
  if (options.to.kind === 'time') requirePostgres(context, 'replay --to <time>', 'recording times');
  return withReadSide(context, async ({ pool, store, registry, url }) => {
    const toPosition = await positionOf(pool, options.to);
    const result = await replayInto(
      projections,
      { pool, store, registry, log: context.log, lockConnection: { connectionString: url.href } },
      { schema: options.into, toPosition, force: options.force === true },
    );
    switch (result.outcome) {
      case 'refused':
        throw new StartupError(result.reason);
      case 'failed':
        throw new StartupError(`${result.projection} could not be replayed: ${result.reason}`);
      case 'replayed':
        process.stdout.write(
          `Replayed every read model as of position ${result.position} into schema ${options.into}: ${result.tables.join(', ')}.\n` +
            `Query it with SQL (e.g. SELECT * FROM ${options.into}.movies); DROP SCHEMA ${options.into} CASCADE when done.\n`,
        );
    }
  });
};
