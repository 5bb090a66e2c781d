import type { Command } from 'commander';
import { projections } from '../../projections/index.ts';
import { resolveParked } from '../../projections/runtime/deadLetters.ts';
import { projectionOverview, type ProjectionOverview } from '../../projections/runtime/overview.ts';
import { StartupError } from '../postgres/database.ts';
import type { CliContext } from './main.ts';
import { openReadSide } from './readSide.ts';
import { rebuildCommand } from './rebuild.ts';

// `fastflix projections status|retry|skip|rebuild`: the operator's view of the read side, against the
// same database as a running service (the embedded one is shared) or DATABASE_URL.

export const projectionsCommands = (program: Command, context: () => Promise<CliContext>): void => {
  const group = program.command('projections').description('inspect, resolve and rebuild the read models');
  group
    .command('status')
    .description('each projection: version, checkpoint, status, events behind the head, parked events')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => statusCommand(await context(), options));
  group
    .command('retry <name>')
    .description('apply the parked event of a stopped projection again (`<name>@rebuild` for a rebuild)')
    .action(async (name: string) => resolveCommand(await context(), name, 'retried'));
  group
    .command('skip <name>')
    .description('pass over the parked event of a stopped projection, on the record')
    .action(async (name: string) => resolveCommand(await context(), name, 'skipped'));
  group
    .command('rebuild [name]')
    .description('rebuild a read model from the log beside the live one, check it, and swap it in')
    .option('--all', 'rebuild every read model')
    .option('--force', 'swap even when the rebuild differs from the live read model')
    .option('--batch-size <events>', 'events per transaction', (value) => positiveInteger(value, '--batch-size'), 5_000)
    .action(async (name: string | undefined, options: { all?: boolean; force?: boolean; batchSize: number }) =>
      rebuildCommand(await context(), name, options),
    );
};

const positiveInteger = (value: string, option: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new StartupError(`${option} takes a positive whole number, not "${value}"`);
  return parsed;
};

const statusCommand = async (context: CliContext, options: { json?: boolean }): Promise<void> => {
  const readSide = await openReadSide(context);
  try {
    const overview = await projectionOverview(readSide.pool, projections, readSide.countEvents);
    process.stdout.write(options.json === true ? `${JSON.stringify(overview, null, 2)}\n` : statusTable(overview));
  } finally {
    await readSide.close();
  }
};

const statusTable = (overview: readonly ProjectionOverview[]): string => {
  const header = ['name', 'version', 'position', 'status', 'behind', 'dead letters', 'error'];
  const rows = overview.map((row) => [
    row.name,
    row.version === null
      ? `- (code ${row.codeVersion})`
      : row.rebuildNeeded
        ? `${row.version} (code ${row.codeVersion}: rebuild needed)`
        : String(row.version),
    row.position ?? '-',
    row.kind === 'unknown' ? `${row.status} (not in this build)` : row.status,
    row.behind === null ? '?' : row.behind.toLocaleString('en-US'),
    String(row.deadLetters),
    row.error === null ? '' : row.error.length > 80 ? `${row.error.slice(0, 77)}...` : row.error,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const hints = overview.flatMap((row) => [
    ...(row.status === 'stopped'
      ? [
          `${row.name} is stopped at a parked event (queries that wait for it answer 503): once its cause is fixed, ` +
            `\`fastflix projections retry ${row.name}\` applies it again; \`skip\` passes over it for good ` +
            '(README, "When a projection stops", says which).',
        ]
      : []),
    ...(row.rebuildNeeded
      ? [
          `${row.name} was built by version ${row.version} and the code is at ${row.codeVersion}: run \`fastflix projections rebuild ${row.name}\`.`,
        ]
      : []),
    ...(row.kind === 'rebuild'
      ? [`${row.name} is an unfinished rebuild: rerun \`fastflix projections rebuild ${row.name.split('@')[0]}\` to continue it.`]
      : []),
  ]);
  return [line(header), ...rows.map(line), ...(hints.length > 0 ? ['', ...hints] : [])].join('\n') + '\n';
};

const resolveCommand = async (context: CliContext, name: string, how: 'retried' | 'skipped'): Promise<void> => {
  const readSide = await openReadSide(context);
  try {
    const resolution = await resolveParked(readSide.pool, name, how);
    switch (resolution.outcome) {
      case 'unknown-projection':
        throw new StartupError(`no projection state named "${name}" (see \`fastflix projections status\`)`);
      case 'busy':
        throw new StartupError(`${name} is held by a rebuild that is swapping it; try again in a moment`);
      case 'nothing-parked':
        throw new StartupError(
          `${name} is ${resolution.status}, not stopped at a parked event: there is nothing to ${how === 'retried' ? 'retry' : 'skip'}`,
        );
      case 'retried':
      case 'skipped': {
        const letter = resolution.deadLetter;
        const what = `${letter.eventType} ${letter.eventId} at position ${letter.position} (${letter.error})`;
        process.stdout.write(
          how === 'retried'
            ? `Retrying ${what}: ${name} is running again; its runner applies the event anew, and parks it again if it still fails.\n`
            : `Skipped ${what}: recorded as skipped, the checkpoint is past it, and ${name} is running again without it.\n`,
        );
      }
    }
  } finally {
    await readSide.close();
  }
};
