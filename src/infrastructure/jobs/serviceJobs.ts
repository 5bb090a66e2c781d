import type pg from 'pg';
import type { Logger } from '../logging/logger.ts';
import type { RoleSettings } from '../threads/roles.ts';
import type { JobDefinition } from './job.ts';

/** What the scheduler role can give its jobs; a job that needs more is added here. */
export interface JobDependencies {
  readonly pool: pg.Pool;
  readonly log: Logger;
  readonly settings: RoleSettings;
}

/** Every job of the service: the scheduler role defines each and schedules the recurring ones (see index.ts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const serviceJobs = (_dependencies: JobDependencies): JobDefinition<any>[] => [];
