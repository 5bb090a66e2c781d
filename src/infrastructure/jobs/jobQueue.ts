import type { EventEmitter } from 'node:events';
import { MongoJobRepository } from '@agendajs/mongo-backend';
import { Agenda, type AgendaBackend, type JobParameters } from 'agenda';
import type { Logger } from '../logging/logger.ts';
import { jobsTable, openJobBackend, type JobBackendKind, type JobStore } from './backend.ts';
import type { Enqueue } from './job.ts';

/** Agenda on the service's job store, connected: enough to enqueue, list and retry jobs, not to run them. */
export interface JobQueue {
  readonly agenda: Agenda;
  readonly kind: JobBackendKind;
  readonly enqueue: Enqueue;
  /** Disconnects from MongoDB; a PostgreSQL store's pool is its owner's to close. */
  readonly close: () => Promise<void>;
}

/** What a job row holds in its data: the key that makes it once, and what its handler is given. */
export interface StoredJobData {
  readonly key: string;
  readonly payload?: unknown;
}

export const connectJobQueue = async (
  store: JobStore,
  log: Logger,
  options: { readonly processEveryMs?: number } = {},
): Promise<JobQueue> => {
  const { backend, kind } = openJobBackend(store);
  const agenda = new Agenda({
    backend,
    name: `fastflix-${process.pid}`,
    // Numbers: a string such as '200 milliseconds' is read as seconds (STACK.md).
    processEvery: options.processEveryMs ?? 1_000,
    // Short, and raised by the jobs that need more: a run's watchdog sleeps half of it, and a long
    // lifetime keeps a stopped process alive that long (STACK.md).
    defaultLockLifetime: 30_000,
  });
  agenda.on('error', (error) => log.warn({ err: error }, 'job store error'));
  // The PostgreSQL backend's LISTEN channel re-emits its connection's errors on itself, and it
  // reconnects on its own: without a listener, a database restart would be an uncaught 'error'
  // that takes the scheduler thread down with it.
  listenForChannelErrors(backend, log);
  await agenda.ready;
  if (kind === 'postgres') await ensureKeyIndex(store);
  else await ensureMongoKeyIndex(backend);
  return { agenda, kind, enqueue: enqueueOn(agenda), close: () => (kind === 'mongodb' ? backend.disconnect() : Promise.resolve()) };
};

const listenForChannelErrors = (backend: AgendaBackend, log: Logger): void => {
  const channel = backend.notificationChannel as unknown as Partial<EventEmitter> | undefined;
  channel?.on?.('error', (error: unknown) => log.warn({ err: error }, 'job notification channel lost its connection; it reconnects'));
};

/**
 * Agenda's `unique` upsert looks for the key, then inserts: two enqueues of one key at the same
 * moment (a redelivery racing a standby) would both insert. This index makes the second fail, and
 * the enqueue that failed finds the first's job on its second look.
 */
const ensureKeyIndex = async (store: JobStore): Promise<void> => {
  try {
    await store.pool.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS ${jobsTable}_key_idx ON ${jobsTable} (name, (data->>'key')) WHERE type = 'normal' AND data ? 'key'`,
    );
  } catch (error) {
    // Another instance made it at the same moment (the catalogue's unique name or type key).
    if (!(isPostgresError(error) && (error.code === '23505' || error.code === '42P07'))) throw error;
  }
};

/** The same on MongoDB: a second insert of one name and key fails with a duplicate key error (11000). */
const ensureMongoKeyIndex = async (backend: AgendaBackend): Promise<void> => {
  if (!(backend.repository instanceof MongoJobRepository)) return;
  await backend.repository.collection.createIndex(
    { name: 1, 'data.key': 1 },
    { name: 'fastflix_key', unique: true, partialFilterExpression: { type: 'normal', 'data.key': { $exists: true } } },
  );
};

/** A unique index refused the insert: PostgreSQL's 23505, MongoDB's 11000. */
const isDuplicateKey = (error: unknown): boolean =>
  (isPostgresError(error) && error.code === '23505') ||
  (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000);

const isPostgresError = (error: unknown): error is { code: string } =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';

const enqueueOn =
  (agenda: Agenda): Enqueue =>
  async (name, data, key) => {
    const save = async (): Promise<JobParameters<StoredJobData>> => {
      const job = agenda.create<StoredJobData>(name, { key, payload: data });
      job.unique({ 'data.key': key }, { insertOnly: true });
      job.schedule(new Date());
      await job.save();
      return job.attrs;
    };
    let attrs: JobParameters<StoredJobData>;
    try {
      attrs = await save();
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      attrs = await save();
    }
    // An insert-only upsert that found the key returns that job, unchanged.
    return { jobId: attrs._id?.toString() ?? '' };
  };
