import type * as E from 'fp-ts/lib/Either.js';
import * as Either from 'fp-ts/lib/Either.js';
import { adminRosterDecider, type AdminRosterError } from '../../domain/adminRoster/decide.ts';
import { adminRosterEventTypes, type AdminRosterEvent } from '../../domain/adminRoster/events.ts';
import type { Uuid } from '../../domain/shared/codecs.ts';
import type { EventMetadata } from '../../infrastructure/eventStore/eventStore.ts';
import { adminRosterStream } from '../../infrastructure/eventStore/streams.ts';
import { handleCommand, type CommandEnvironment, type CommandFailure, type CommandSuccess } from '../shared/handleCommand.ts';

// The admin roster's two commands (domain/adminRoster). Every demotion leaves the roster before the
// account's role changes, and every promotion joins it after: so the roster holds only admins, and its
// rule (never empty) holds for the accounts too. Erasing an account that is an admin should call
// `leaveAdmins` before anything is erased, and stop at its LastAdmin.

/**
 * The admins the log shows (active accounts whose last role is admin): what the roster opens with,
 * read once per installation, by the first command that finds the roster not opened.
 */
const adminsInLog = async (environment: CommandEnvironment): Promise<readonly Uuid[]> => {
  const accounts = new Map<string, { admin: boolean; active: boolean }>();
  const subscription = environment.store.subscribeToAll({
    fromPosition: 'start',
    filter: { eventTypes: ['UserRegistered', 'RoleChanged', 'UserDeactivated', 'UserForgotten'] },
  });
  try {
    for await (const batch of subscription) {
      for (const event of batch.events) {
        const data = event.data as { userId?: string; role?: string };
        if (data.userId === undefined) continue;
        const account = accounts.get(data.userId) ?? { admin: false, active: true };
        if (event.type === 'UserDeactivated' || event.type === 'UserForgotten') account.active = false;
        else account.admin = data.role === 'admin';
        accounts.set(data.userId, account);
      }
      if (batch.caughtUp) break;
    }
  } finally {
    await subscription.close();
  }
  return [...accounts].flatMap(([userId, account]) => (account.admin && account.active ? [userId as Uuid] : []));
};

const rosterCommand = (
  environment: CommandEnvironment,
  type: 'JoinAdmins' | 'LeaveAdmins',
  userId: Uuid,
  metadata: EventMetadata,
  eventIds?: (count: number) => readonly string[],
): Promise<E.Either<CommandFailure<AdminRosterError>, CommandSuccess<AdminRosterEvent>>> =>
  handleCommand(environment, {
    stream: adminRosterStream,
    decider: adminRosterDecider,
    eventTypes: adminRosterEventTypes,
    command: async (state) => Either.right({ type, userId, knownAdmins: state.status === 'open' ? [] : await adminsInLog(environment) }),
    metadata,
    ...(eventIds === undefined ? {} : { eventIds }),
  });

/** Before an admin's role goes: refused with LastAdmin when no other admin is counted. */
export const leaveAdmins = (
  environment: CommandEnvironment,
  userId: Uuid,
  metadata: EventMetadata,
  eventIds?: (count: number) => readonly string[],
) => rosterCommand(environment, 'LeaveAdmins', userId, metadata, eventIds);

/** After an account became admin (promoted, or registered so). */
export const joinAdmins = (
  environment: CommandEnvironment,
  userId: Uuid,
  metadata: EventMetadata,
  eventIds?: (count: number) => readonly string[],
) => rosterCommand(environment, 'JoinAdmins', userId, metadata, eventIds);
