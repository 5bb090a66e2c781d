import type { Command } from 'commander';
import { reactorStatus, type ReactorStatus } from '../../reactors/runtime/status.ts';
import type { CliContext } from './main.ts';
import { openReadSide } from './readSide.ts';

// `fastflix reactors status`: where each reactor is and what it parked, against the service's database.

export const reactorsCommands = (program: Command, context: () => Promise<CliContext>): void => {
  program
    .command('reactors')
    .description('inspect the reactors (event subscribers with side effects)')
    .command('status')
    .description('each reactor: checkpoint, positions behind the head, parked events')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      const readSide = await openReadSide(await context());
      try {
        const status = await reactorStatus(readSide.pool, readSide.store);
        process.stdout.write(options.json === true ? `${JSON.stringify(status, null, 2)}\n` : statusTable(status));
      } finally {
        await readSide.close();
      }
    });
};

export const statusTable = (status: readonly ReactorStatus[]): string => {
  if (status.length === 0) return 'no reactor has run against this database yet\n';
  const header = ['name', 'position', 'behind', 'parked', 'updated'];
  const rows = status.map((row) => [row.name, row.position, row.behind.toLocaleString('en-US'), String(row.parked.length), row.updatedAt]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const parked = status.flatMap((row) =>
    row.parked.map(
      (event) =>
        `  ${row.name}: parked ${event.eventType} ${event.eventId} at ${event.position} after ${event.attempts} attempts: ${event.error}`,
    ),
  );
  return [line(header), ...rows.map(line), ...(parked.length > 0 ? ['', 'parked events:', ...parked] : [])].join('\n') + '\n';
};
