import { CronExpressionParser } from 'cron-parser';
import type { JobSchedule } from './job.ts';

/**
 * The key of a recurring job's run: its name and the start of the slot it runs for, the last time the
 * schedule fired at or before `ranAt` (a run starts a little after its time; a late one, after a
 * restart, still belongs to the slot it was due in). Two runs for one slot share the key.
 */
export const slotKey = (name: string, schedule: JobSchedule, ranAt: Date): string => `${name}@${slotStart(schedule, ranAt).toISOString()}`;

export const slotStart = (schedule: JobSchedule, ranAt: Date): Date => {
  if ('everyMs' in schedule) return new Date(Math.floor(ranAt.getTime() / schedule.everyMs) * schedule.everyMs);
  // prev() is strictly before currentDate: one millisecond on, a run exactly on time finds its own slot.
  return CronExpressionParser.parse(schedule.cron, { currentDate: new Date(ranAt.getTime() + 1), tz: 'UTC' })
    .prev()
    .toDate();
};
