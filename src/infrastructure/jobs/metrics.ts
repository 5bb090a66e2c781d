import { Counter, Histogram, type Registry } from 'prom-client';

/** The job runtime's metrics, in the registry of the thread that runs the scheduler role. */
export interface JobMetrics {
  /** Every run, whatever its outcome (retries count as runs). */
  readonly runs: Counter<'job_name'>;
  readonly failures: Counter<'job_name'>;
  readonly duration: Histogram<'job_name'>;
}

export const createJobMetrics = (registry: Registry): JobMetrics => ({
  runs: new Counter({
    name: 'fastflix_job_runs_total',
    help: 'Runs of each background job, retries included, whatever their outcome',
    labelNames: ['job_name'] as const,
    registers: [registry],
  }),
  failures: new Counter({
    name: 'fastflix_job_failures_total',
    help: 'Runs of each background job that threw (each is retried with backoff until its retries are spent)',
    labelNames: ['job_name'] as const,
    registers: [registry],
  }),
  duration: new Histogram({
    name: 'fastflix_job_duration_seconds',
    help: 'How long each run of a background job took, failed runs included',
    labelNames: ['job_name'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  }),
});
