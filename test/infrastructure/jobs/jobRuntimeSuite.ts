import { expect } from 'chai';
import { Registry } from 'prom-client';
import {
  connectJobQueue,
  createJobMetrics,
  defineJob,
  jobsStatus,
  retryJob,
  startJobRuntime,
  type JobDefinition,
  type JobQueue,
  type JobRuntime,
  type JobStore,
} from '../../../src/infrastructure/jobs/index.ts';
import { testLog } from '../../support/postgresServer.ts';
import { waitFor } from '../../support/waitFor.ts';

// The job runtime against a real job store (run by the PostgreSQL and MongoDB specs): a job once per
// key however often it is enqueued, retries with backoff then a failed job left visible, a retry
// that runs it again, recurring jobs keyed by their slot, and the metrics of it all. Backoff and
// schedules are short here (milliseconds) rather than waited out.

export interface JobStoreFixture {
  readonly store: () => JobStore;
}

export const jobRuntimeSuite = (fixture: JobStoreFixture): void => {
  let runtime: JobRuntime | undefined;
  let queue: JobQueue | undefined;
  let registry: Registry;
  const runs: { name: string; key: string; attempt: number; data: unknown }[] = [];
  let failuresLeft = 0;

  const jobs: JobDefinition<{ n: number }>[] = [
    defineJob<{ n: number }>('spec-record', async (data, context) => {
      runs.push({ name: 'spec-record', key: context.key, attempt: context.attempt, data });
      await Promise.resolve();
    }),
    defineJob<{ n: number }>(
      'spec-flaky',
      async (data, context) => {
        runs.push({ name: 'spec-flaky', key: context.key, attempt: context.attempt, data });
        await Promise.resolve();
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('the mail server said no');
        }
      },
      { retries: 2 },
    ),
    defineJob<{ n: number }>(
      'spec-tick',
      async (data, context) => {
        runs.push({ name: 'spec-tick', key: context.key, attempt: context.attempt, data });
        await Promise.resolve();
      },
      { schedule: { everyMs: 400 } },
    ),
  ];

  const runsOf = (name: string, key?: string): typeof runs =>
    runs.filter((run) => run.name === name && (key === undefined || run.key === key));

  beforeEach(async () => {
    runs.length = 0;
    failuresLeft = 0;
    registry = new Registry();
    runtime = await startJobRuntime({
      store: fixture.store(),
      jobs,
      log: testLog,
      metrics: createJobMetrics(registry),
      retryDelayMs: 100,
      retries: 5,
      processEveryMs: 100,
    });
    queue = await connectJobQueue(fixture.store(), testLog);
  });

  afterEach(async () => {
    await runtime?.stop();
    await queue?.close();
  });

  describe('when a job is enqueued again with the same key', () => {
    it('runs it once, and a job of another key once too', async () => {
      const first = await runtime!.enqueue('spec-record', { n: 1 }, 'event-a');
      await waitFor(() => runsOf('spec-record', 'event-a').length === 1);
      const again = await runtime!.enqueue('spec-record', { n: 2 }, 'event-a');
      await Promise.all([1, 2, 3, 4].map((n) => queue!.enqueue('spec-record', { n }, 'event-a')));
      await runtime!.enqueue('spec-record', { n: 3 }, 'event-b');
      await waitFor(() => runsOf('spec-record', 'event-b').length === 1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(again.jobId).to.equal(first.jobId);
      expect(runsOf('spec-record', 'event-a').map((run) => run.data)).to.deep.equal([{ n: 1 }]);
      expect(runsOf('spec-record', 'event-b')).to.have.length(1);
    });

    it('makes one job of enqueues that race', async () => {
      const outcomes = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => queue!.enqueue('spec-record', { n }, 'event-race')));
      expect(new Set(outcomes.map((outcome) => outcome.jobId)).size).to.equal(1);
      await waitFor(() => runsOf('spec-record', 'event-race').length === 1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(runsOf('spec-record', 'event-race')).to.have.length(1);
    });
  });

  describe('when a job keeps failing', () => {
    it('retries it with backoff, then shows it as failed; jobs retry runs it again', async () => {
      failuresLeft = 4;
      const { jobId } = await runtime!.enqueue('spec-flaky', { n: 7 }, 'event-flaky');
      await waitFor(async () => (await jobsStatus(queue!)).failing.some((job) => job.id === jobId && job.state === 'failed'));
      expect(runsOf('spec-flaky').map((run) => run.attempt)).to.deep.equal([1, 2, 3]);
      const status = await jobsStatus(queue!);
      const failed = status.failing.find((job) => job.id === jobId);
      expect(failed).to.include({
        name: 'spec-flaky',
        key: 'event-flaky',
        state: 'failed',
        failCount: 3,
        failReason: 'the mail server said no',
      });
      expect(status.counts.find((row) => row.name === 'spec-flaky')?.states).to.deep.equal({ failed: 1 });

      const outcome = await retryJob(queue!, jobId);
      expect(outcome.kind).to.equal('retried');
      // The retry fails once more (the fourth failure), then its fresh backoff runs it to success.
      await waitFor(async () => (await jobsStatus(queue!)).counts.find((row) => row.name === 'spec-flaky')?.states.completed === 1);
      expect(runsOf('spec-flaky').map((run) => run.attempt)).to.deep.equal([1, 2, 3, 1, 2]);
      expect(runsOf('spec-flaky').every((run) => run.key === 'event-flaky')).to.equal(true);

      const metrics = await registry.getSingleMetricAsString('fastflix_job_runs_total');
      expect(metrics).to.include('fastflix_job_runs_total{job_name="spec-flaky"} 5');
      expect(await registry.getSingleMetricAsString('fastflix_job_failures_total')).to.include(
        'fastflix_job_failures_total{job_name="spec-flaky"} 4',
      );
      expect(await registry.getSingleMetricAsString('fastflix_job_duration_seconds')).to.include(
        'fastflix_job_duration_seconds_count{job_name="spec-flaky"} 5',
      );
    });

    it('refuses to retry a job that did not fail, or an id that is no job', async () => {
      const { jobId } = await runtime!.enqueue('spec-record', { n: 1 }, 'event-fine');
      await waitFor(() => runsOf('spec-record', 'event-fine').length === 1);
      await waitFor(async () => (await retryJob(queue!, jobId)).kind === 'not-failed');
      expect(await retryJob(queue!, 'not-an-id')).to.deep.equal({ kind: 'not-found' });
      const unknown = queue!.kind === 'postgres' ? '00000000-0000-4000-8000-000000000000' : '000000000000000000000000';
      expect(await retryJob(queue!, unknown)).to.deep.equal({ kind: 'not-found' });
    });
  });

  describe('a recurring job', () => {
    it('runs on its schedule, each run keyed by its slot', async () => {
      await waitFor(() => runsOf('spec-tick').length >= 2, 10_000);
      const keys = runsOf('spec-tick').map((run) => run.key);
      for (const key of keys) expect(key).to.match(/^spec-tick@\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(new Set(keys).size).to.equal(keys.length);
      for (const key of keys) expect(new Date(key.slice('spec-tick@'.length)).getTime() % 400).to.equal(0);
    });
  });
};
