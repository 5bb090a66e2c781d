// The job runtime: Agenda v6 in the scheduler role, on PostgreSQL (agenda_jobs, the service's database)
// or on MongoDB when MONGODB_URL is set.
//
// How to write a job:
//
//   export const welcomeMailJob = (send: …) =>
//     defineJob<{ userId: string }>('welcome-mail', async (data, { key }) => { … }, { retries: 6 });
//
//   export const trendingJob = (…) =>
//     defineJob('trending-aggregation', async (_data, { key }) => { … }, { schedule: { cron: '*/5 * * * *' } });
//
// - List it in serviceJobs.ts: the scheduler role defines every job there and schedules the recurring ones.
// - A job runs at least once. Make its effect once by its `key`: the causing event's id for a job
//   enqueued for an event (`enqueue(name, data, eventId)`, itself a no-op when that key was enqueued
//   before), the slot (`<name>@<ISO start of the slot>`) for a recurring one.
// - Throwing retries it with exponential backoff (JOB_RETRY_DELAY, doubling, JOB_RETRIES times), then it
//   stays failed: `fastflix jobs status` lists it, `fastflix jobs retry <id>` runs it again.
// - /metrics: fastflix_job_runs_total, fastflix_job_failures_total, fastflix_job_duration_seconds (job_name).

export {
  defineJob,
  type Enqueue,
  type JobContext,
  type JobDefinition,
  type JobOptions,
  type JobSchedule,
  type SomeJobDefinition,
} from './job.ts';
export { openJobBackend, type JobStore } from './backend.ts';
export { connectJobQueue, type JobQueue } from './jobQueue.ts';
export { startJobRuntime, type JobRuntime, type JobRuntimeOptions } from './jobRuntime.ts';
export { createJobMetrics, type JobMetrics } from './metrics.ts';
export { jobsStatus, retryJob, type JobRow, type JobsStatus, type RetryOutcome } from './status.ts';
