import { MongoBackend } from '@agendajs/mongo-backend';
import { PostgresBackend } from '@agendajs/postgres-backend';
import type { AgendaBackend } from 'agenda';
import type pg from 'pg';

export interface JobStore {
  /** A pool on the service's PostgreSQL database: the default home of the jobs (table agenda_jobs). Its owner closes it. */
  readonly pool: pg.Pool;
  /** When set, the jobs live in MongoDB instead (collection agendaJobs). */
  readonly mongodbUrl?: URL | undefined;
}

export type JobBackendKind = 'postgres' | 'mongodb';

export const jobsTable = 'agenda_jobs';

/** Agenda's backend: PostgreSQL by default, MongoDB when MONGODB_URL is set (DESIGN.md, scale-out). */
export const openJobBackend = (store: JobStore): { readonly backend: AgendaBackend; readonly kind: JobBackendKind } =>
  store.mongodbUrl === undefined
    ? {
        backend: new PostgresBackend({ pool: store.pool, tableName: jobsTable }),
        kind: 'postgres',
      }
    : {
        backend: new MongoBackend({
          address: store.mongodbUrl.href,
          collection: 'agendaJobs',
          options: { serverSelectionTimeoutMS: 5_000 },
        }),
        kind: 'mongodb',
      };
