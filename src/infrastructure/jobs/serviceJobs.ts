import type pg from 'pg';
import { mailJobs } from '../../reactors/mail/jobs.ts';
import type { Logger } from '../logging/logger.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { ResetOutbox } from '../mail/resetOutbox.ts';
import type { SomeJobDefinition } from './job.ts';
import type { RecipientOf } from '../../reactors/mail/recipients.ts';

/** What the scheduler role can give its jobs; a job that needs more is added here. */
export interface JobDependencies {
  readonly pool: pg.Pool;
  readonly log: Logger;
  readonly mailer: Mailer;
  readonly resetOutbox: ResetOutbox | undefined;
  readonly recipientOf: RecipientOf;
}

/** Every job of the service: the scheduler role defines each and schedules the recurring ones (see index.ts). */
export const serviceJobs = (dependencies: JobDependencies): SomeJobDefinition[] => [...mailJobs(dependencies)];
