import type { JobParameters } from 'agenda';
import type { JobQueue, StoredJobData } from './jobQueue.ts';

/** One job as `fastflix jobs status` lists it. */
export interface JobRow {
  readonly id: string;
  readonly name: string;
  readonly key: string;
  /** failed: no retries left (`jobs retry` runs it again); retrying: failed, another run due at `nextRunAt`. */
  readonly state: 'queued' | 'scheduled' | 'running' | 'retrying' | 'failed' | 'completed' | 'repeating';
  readonly failCount: number;
  readonly failReason: string | null;
  readonly nextRunAt: string | null;
  readonly lastFinishedAt: string | null;
}

export interface JobsStatus {
  /** Per job name, how many are in each state. */
  readonly counts: readonly { readonly name: string; readonly states: Partial<Record<JobRow['state'], number>> }[];
  /** Jobs that failed (retrying or out of retries), oldest first, at most `limit`. */
  readonly failing: readonly JobRow[];
}

export const jobState = (job: JobParameters, now = new Date()): JobRow['state'] => {
  if (job.lockedAt !== undefined && job.lockedAt !== null) return 'running';
  const failedLast = job.failedAt !== undefined && (job.lastFinishedAt === undefined || job.failedAt >= job.lastFinishedAt);
  if (failedLast) return job.nextRunAt === null || job.nextRunAt === undefined ? 'failed' : 'retrying';
  if (job.repeatInterval !== undefined && job.repeatInterval !== null) return 'repeating';
  if (job.nextRunAt !== null && job.nextRunAt !== undefined) return job.nextRunAt > now ? 'scheduled' : 'queued';
  return 'completed';
};

export const toJobRow = (job: JobParameters): JobRow => {
  const data = job.data as Partial<StoredJobData> | null | undefined;
  return {
    id: job._id?.toString() ?? '',
    name: job.name,
    key: typeof data?.key === 'string' ? data.key : '',
    state: jobState(job),
    failCount: job.failCount ?? 0,
    failReason: job.failReason ?? null,
    nextRunAt: job.nextRunAt?.toISOString() ?? null,
    lastFinishedAt: job.lastFinishedAt?.toISOString() ?? null,
  };
};

export const jobsStatus = async (queue: Pick<JobQueue, 'agenda'>, limit = 100): Promise<JobsStatus> => {
  const counts = new Map<string, Partial<Record<JobRow['state'], number>>>();
  // Agenda's own "failed" state includes jobs waiting for a retry; they are told apart here.
  const { jobs } = await queue.agenda.queryJobs({ sort: { name: 'asc' } });
  const rows = jobs.map(toJobRow);
  for (const row of rows) {
    const states = counts.get(row.name) ?? {};
    states[row.state] = (states[row.state] ?? 0) + 1;
    counts.set(row.name, states);
  }
  const failing = rows.filter((row) => row.state === 'failed' || row.state === 'retrying').slice(0, limit);
  return { counts: [...counts].map(([name, states]) => ({ name, states })), failing };
};

export type RetryOutcome =
  | { readonly kind: 'retried'; readonly job: JobRow }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'not-failed'; readonly job: JobRow };

/**
 * Runs a failed job again now, with its retries counted afresh. Only a failed (or retrying) job:
 * a completed one has done its work, a queued or running one is about to.
 */
export const retryJob = async (queue: Pick<JobQueue, 'agenda'>, id: string): Promise<RetryOutcome> => {
  const job = await findJob(queue, id);
  if (job === null) return { kind: 'not-found' };
  const state = jobState(job);
  if (state !== 'failed' && state !== 'retrying') return { kind: 'not-failed', job: toJobRow(job) };
  const again: JobParameters = { ...job, nextRunAt: new Date(), failCount: 0 };
  await queue.agenda.db.saveJobState(again, { lastModifiedBy: 'fastflix jobs retry' });
  return { kind: 'retried', job: toJobRow(again) };
};

/** Ids are UUIDs on PostgreSQL and ObjectIds on MongoDB; anything else is no job's id. */
const findJob = async (queue: Pick<JobQueue, 'agenda'>, id: string): Promise<JobParameters | null> => {
  if (!/^[0-9a-f]{24}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  return queue.agenda.db.getJobById(id);
};
