import { exponential, type Job } from 'agenda';
import type { Logger } from '../logging/logger.ts';
import type { JobStore } from './backend.ts';
import type { Enqueue, JobDefinition, SomeJobDefinition } from './job.ts';
import { connectJobQueue, type StoredJobData } from './jobQueue.ts';
import type { JobMetrics } from './metrics.ts';
import { slotKey } from './slots.ts';

export interface JobRuntimeOptions {
  readonly store: JobStore;
  // Each definition's data type is its own; the runtime only passes it through.
  readonly jobs: readonly SomeJobDefinition[];
  readonly log: Logger;
  readonly metrics?: JobMetrics;
  /** The delay before a failed job's first retry, doubling with each (JOB_RETRY_DELAY). */
  readonly retryDelayMs: number;
  /** Retries before a job stays failed (JOB_RETRIES). */
  readonly retries: number;
  /** How often Agenda looks for jobs that came due (a job enqueued now is also announced at once). */
  readonly processEveryMs?: number;
}

export interface JobRuntime {
  readonly enqueue: Enqueue;
  /** Stops taking jobs, lets running ones finish (up to `drainMs`), and disconnects from the job store. */
  readonly stop: () => Promise<void>;
}

/**
 * Agenda, processing the service's jobs: the scheduler role's. Each job is wrapped so that its runs,
 * failures and durations are counted, and retried with exponential backoff (Agenda's own), after
 * which it stays in the store as failed until `fastflix jobs retry <id>`.
 */
export const startJobRuntime = async (options: JobRuntimeOptions, drainMs = 10_000): Promise<JobRuntime> => {
  const names = new Set<string>();
  for (const job of options.jobs) {
    if (names.has(job.name)) throw new Error(`two jobs are named ${job.name}`);
    names.add(job.name);
  }
  const queue = await connectJobQueue(options.store, options.log, { processEveryMs: options.processEveryMs });
  const { agenda } = queue;
  // Runs between Agenda's start and complete (which it emits once the outcome is saved).
  let running = 0;
  let settled: (() => void) | undefined;
  agenda.on('start', () => (running += 1));
  agenda.on('complete', () => {
    running -= 1;
    if (running === 0) settled?.();
  });
  const stop = async (): Promise<void> => {
    // stop() hands back the jobs this process had locked but not begun, at once (drain() would leave
    // them locked until their lock expired, holding up a restarted scheduler), and leaves running
    // ones to finish, which is waited for here.
    await agenda.stop(false);
    if (running > 0) {
      const finished = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), drainMs);
        settled = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      if (!(await finished)) options.log.warn({ running }, 'jobs still running at shutdown; their locks expire and they run again');
    }
    await queue.close();
  };
  try {
    for (const definition of options.jobs) define(agenda, definition, options);
    await agenda.start();
    for (const definition of options.jobs) {
      const schedule = definition.options.schedule;
      if (schedule === undefined) continue;
      const interval = 'cron' in schedule ? schedule.cron : schedule.everyMs;
      // One job per name (`every` upserts it), whichever instance scheduled it; its key is the slot.
      await agenda.every(interval, definition.name, { key: definition.name } satisfies StoredJobData, {
        skipImmediate: true,
        timezone: 'UTC',
      });
      if (definition.options.runAtStart === true) {
        await queue.enqueue(definition.name, {}, slotKey(definition.name, schedule, new Date()));
      }
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  options.log.info({ jobs: [...names], store: queue.kind }, 'job runtime started');
  return { enqueue: queue.enqueue, stop };
};

const define = <Data>(agenda: JobQueueAgenda, definition: JobDefinition<Data>, options: JobRuntimeOptions): void => {
  const labels = { job_name: definition.name };
  const log = options.log.child({ job: definition.name });
  agenda.define<StoredJobData>(
    definition.name,
    async (job: Job<StoredJobData>) => {
      const attempt = (job.attrs.failCount ?? 0) + 1;
      const schedule = definition.options.schedule;
      const key = schedule === undefined ? job.attrs.data.key : slotKey(definition.name, schedule, job.attrs.lastRunAt ?? new Date());
      const started = process.hrtime.bigint();
      options.metrics?.runs.inc(labels);
      const lockLifetimeMs = definition.options.lockLifetimeMs ?? 30_000;
      const renewing =
        definition.options.renewLock === true
          ? setInterval(
              () => void job.touch().catch((error: unknown) => log.warn({ err: error }, 'could not renew a job lock')),
              lockLifetimeMs / 3,
            )
          : undefined;
      try {
        // The payload is what enqueue was given for this name: the definition's own data type.
        await definition.handler(job.attrs.data.payload as Data, { jobId: job.attrs._id?.toString() ?? '', key, attempt });
      } catch (error) {
        options.metrics?.failures.inc(labels);
        const retries = definition.options.retries ?? options.retries;
        log.warn(
          { err: error, jobId: job.attrs._id?.toString(), key, attempt },
          attempt > retries
            ? 'job failed and has no retries left; `fastflix jobs retry <id>` runs it again'
            : 'job failed; it will be retried',
        );
        throw error;
      } finally {
        clearInterval(renewing);
        options.metrics?.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      }
    },
    {
      backoff: exponential({
        delay: definition.options.retryDelayMs ?? options.retryDelayMs,
        factor: 2,
        maxRetries: definition.options.retries ?? options.retries,
      }),
      ...(definition.options.concurrency === undefined ? {} : { concurrency: definition.options.concurrency }),
      lockLifetime: definition.options.lockLifetimeMs ?? 30_000,
    },
  );
};

type JobQueueAgenda = Awaited<ReturnType<typeof connectJobQueue>>['agenda'];
