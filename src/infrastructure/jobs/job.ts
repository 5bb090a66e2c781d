// A background job of the service: what it does, how it retries, and (for a recurring one) when it runs.

/** What a run of a job knows besides its data. */
export interface JobContext {
  /** Agenda's id of the job (`fastflix jobs retry <id>` takes it). */
  readonly jobId: string;
  /**
   * What makes this job once: the causing event's id for a job enqueued for an event, the schedule
   * slot (`<name>@<ISO time the slot began>`) for a recurring one. Key effects on it.
   */
  readonly key: string;
  /** 1 on the first run, 2 on the first retry, and so on. */
  readonly attempt: number;
}

export type JobHandler<Data> = (data: Data, context: JobContext) => Promise<void>;

/** When a recurring job runs: every so many milliseconds, or on a cron expression (UTC). */
export type JobSchedule = { readonly everyMs: number } | { readonly cron: string };

export interface JobOptions {
  /** Retries after the first failure, each after twice the delay of the one before; then it stays failed. */
  readonly retries?: number;
  /** The delay before the first retry; overrides the runtime's default (the JOB_RETRY_DELAY setting). */
  readonly retryDelayMs?: number;
  /** Runs of this job at once in one process. */
  readonly concurrency?: number;
  /**
   * How long a run may hold its lock; a run that takes longer is taken for dead, cancelled, and may be
   * run elsewhere. Long jobs raise it.
   */
  readonly lockLifetimeMs?: number;
  /**
   * Renews the run's lock (a third of its lifetime) while the run is alive, for a job whose runs may
   * take longer than any lifetime worth waiting out after a crash: a run of a dead process is still
   * taken over after `lockLifetimeMs`.
   */
  readonly renewLock?: boolean;
  /** Makes the job recurring: it is scheduled at start, once for every instance of the service. */
  readonly schedule?: JobSchedule;
  /**
   * A recurring job also runs once as the runtime starts, for the slot it starts in (keyed like the
   * scheduled runs, so that two instances starting in one slot enqueue it once): what it keeps must
   * not wait a whole interval after a (re)start.
   */
  readonly runAtStart?: boolean;
}

export interface JobDefinition<Data = unknown> {
  readonly name: string;
  readonly handler: JobHandler<Data>;
  readonly options: JobOptions;
}

/** A job of any data type: what a list of several jobs holds (each handler takes its own data). */
export type SomeJobDefinition = JobDefinition<never>;

/** A job of the service; list it in serviceJobs.ts so that the scheduler role runs it. */
export const defineJob = <Data>(name: string, handler: JobHandler<Data>, options: JobOptions = {}): JobDefinition<Data> => ({
  name,
  handler,
  options,
});

/** Enqueues a run of a job, once per key: a second call with the same key (a replay, a restart) adds nothing. */
export type Enqueue = <Data extends Record<string, unknown>>(name: string, data: Data, key: string) => Promise<EnqueueOutcome>;

export interface EnqueueOutcome {
  /** The job of this name and key: the one just made, or the one made before. */
  readonly jobId: string;
}
