import type { Command } from 'commander';
import { connectJobQueue, jobsStatus, retryJob, type JobQueue, type JobsStatus } from '../jobs/index.ts';
import { StartupError } from '../postgres/database.ts';
import type { CliContext } from './main.ts';
import { openReadSide } from './readSide.ts';

// `fastflix jobs status|retry`: the background jobs in the service's job store (Agenda's: PostgreSQL,
// or MongoDB when MONGODB_URL is set), beside a running service.

export const jobsCommands = (program: Command, context: () => Promise<CliContext>): void => {
  const group = program.command('jobs').description('inspect and retry the background jobs (mail, schedules)');
  group
    .command('status')
    .description('how many jobs of each name are queued, running, retrying, failed or completed; the failing ones with their errors')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) =>
      withQueue(await context(), async (queue) => {
        const status = await jobsStatus(queue);
        process.stdout.write(options.json === true ? `${JSON.stringify(status, null, 2)}\n` : statusTable(status));
      }),
    );
  group
    .command('retry <id>')
    .description('run a failed job again now, with its retries counted afresh (the id is in `jobs status`)')
    .action(async (id: string) =>
      withQueue(await context(), async (queue) => {
        const outcome = await retryJob(queue, id);
        switch (outcome.kind) {
          case 'not-found':
            throw new StartupError(`no job has the id "${id}" (see \`fastflix jobs status\`)`);
          case 'not-failed':
            throw new StartupError(`job ${id} (${outcome.job.name}) is ${outcome.job.state}, not failed: there is nothing to retry`);
          case 'retried':
            process.stdout.write(
              `Retrying job ${id} (${outcome.job.name}, key ${outcome.job.key}): it runs again within a second or so.\n`,
            );
        }
      }),
    );
};

const withQueue = async (context: CliContext, work: (queue: JobQueue) => Promise<void>): Promise<void> => {
  const readSide = await openReadSide(context, 2);
  try {
    const queue = await connectJobQueue({ pool: readSide.pool, mongodbUrl: context.config.mongodbUrl }, context.log);
    try {
      await work(queue);
    } finally {
      await queue.close();
    }
  } finally {
    await readSide.close();
  }
};

const states = ['queued', 'scheduled', 'running', 'retrying', 'failed', 'completed', 'repeating'] as const;

export const statusTable = (status: JobsStatus): string => {
  if (status.counts.length === 0) return 'no job has been enqueued in this job store yet\n';
  const header = ['name', ...states];
  const rows = status.counts.map((row) => [row.name, ...states.map((state) => String(row.states[state] ?? 0))]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const failing = status.failing.map(
    (job) =>
      `  ${job.id}  ${job.name} (key ${job.key}): ${job.state} after ${job.failCount} attempt${job.failCount === 1 ? '' : 's'}` +
      `${job.state === 'retrying' && job.nextRunAt !== null ? `, next at ${job.nextRunAt}` : ''}: ${job.failReason ?? 'no reason recorded'}`,
  );
  return (
    [
      line(header),
      ...rows.map(line),
      ...(failing.length > 0 ? ['', 'failing jobs (`fastflix jobs retry <id>` runs a failed one again):', ...failing] : []),
    ].join('\n') + '\n'
  );
};
