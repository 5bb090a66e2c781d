import type { Command } from 'commander';
import { parseLogPoint, type LogPoint } from '../../audit/point.ts';
import { StartupError } from '../postgres/database.ts';
import { actorCommand, asOfCommand, streamCommand, traceCommand } from './auditReads.ts';
import { exportCommand, replayCommand, verifyCommand, verifyExportCommand } from './auditChecks.ts';
import type { CliContext } from './main.ts';

// `fastflix audit …`: the auditors' tools over the event log (src/audit). Output on stdout (tables,
// or JSON with --json; the export file); anything unknown is one line on stderr and exit code 1.

export const auditCommands = (program: Command, context: () => Promise<CliContext>): void => {
  const group = program.command('audit').description('read, fold, trace, verify, export and replay the event log');
  group
    .command('stream <streamId>')
    .description("a stream's events in order: revision, position, time, type, actor, correlation and causation ids")
    .option('--json', 'print the events as JSON (with their data and hashes)')
    .action(async (stream: string, options: { json?: boolean }) => streamCommand(await context(), stream, options));
  group
    .command('as-of <streamId>')
    .description("the aggregate's state folded by the domain's own evolve up to a position or a time")
    .requiredOption('--at <point>', 'a position, or an ISO 8601 time (what was recorded by then)', point('--at'))
    .action(async (stream: string, options: { at: LogPoint }) => asOfCommand(await context(), stream, options.at));
  group
    .command('actor <userId>')
    .description('every event a user caused, across streams, in log order')
    .option('--from <point>', 'from this position or time (inclusive)', point('--from'))
    .option('--to <point>', 'up to this position or time (inclusive)', point('--to'))
    .option('--json', 'print the events as JSON')
    .action(async (actor: string, options: { from?: LogPoint; to?: LogPoint; json?: boolean }) =>
      actorCommand(await context(), actor, options),
    );
  group
    .command('trace <correlationId>')
    .description('every event of one request and, through causation ids, what it caused')
    .option('--json', 'print the events as JSON')
    .action(async (correlation: string, options: { json?: boolean }) => traceCommand(await context(), correlation, options));
  group
    .command('verify')
    .description('recompute every hash chain and check each stream against its recorded head; exit 1 on any break')
    .option('--stream <streamId>', 'one stream only')
    .option('--json', 'print the report as JSON')
    .action(async (options: { stream?: string; json?: boolean }) => verifyCommand(await context(), options));
  group
    .command('export')
    .description('write the log as JSON Lines with a manifest, checkable offline by verify-export (redirect stdout to a file)')
    .option('--from <point>', 'from this position or time (inclusive)', point('--from'))
    .option('--to <point>', 'up to this position or time (inclusive)', point('--to'))
    .action(async (options: { from?: LogPoint; to?: LogPoint }) => exportCommand(await context(), options));
  group
    .command('verify-export <file>')
    .description('check an export offline (no database): any edit, deletion, insertion or reordering fails')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { json?: boolean }) => verifyExportCommand(file, options));
  group
    .command('replay')
    .description('every read model as of a point, built into a schema of its own for SQL')
    .requiredOption('--to <point>', 'a position, or an ISO 8601 time', point('--to'))
    .requiredOption('--into <schema>', 'the schema to build (refused if it exists)')
    .option('--force', 'drop the schema first if it exists')
    .action(async (options: { to: LogPoint; into: string; force?: boolean }) => replayCommand(await context(), options));
};

const point =
  (option: string) =>
  (value: string): LogPoint => {
    const parsed = parseLogPoint(value);
    if (typeof parsed === 'string') throw new StartupError(`${option}: ${parsed}`);
    return parsed;
  };
