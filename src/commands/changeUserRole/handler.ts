import * as E from 'fp-ts/lib/Either.js';
import { accountDecider, type AccountError } from '../../domain/account/decide.ts';
import { accountEventTypes, type AccountEvent } from '../../domain/account/events.ts';
import type { AdminRosterError } from '../../domain/adminRoster/decide.ts';
import type { Role, Uuid } from '../../domain/shared/codecs.ts';
import type { EventMetadata, StreamName } from '../../infrastructure/eventStore/eventStore.ts';
import { adminRosterStream, userStream } from '../../infrastructure/eventStore/streams.ts';
import {
  handleCommand,
  load,
  type CommandEnvironment,
  type CommandFailure,
  type CommandSuccess,
  type Revision,
} from '../shared/handleCommand.ts';
import { joinAdmins, leaveAdmins } from './adminRoster.ts';

export type ChangeRoleError = AccountError | AdminRosterError;

/**
 * An account's new role (the admin route, and `users create-admin --promote`). An admin's demotion
 * first leaves the admin roster, which refuses the last admin (409); a promotion joins it after the
 * account's role changed. What that guarantees: two admins demoting each other at once cannot both
 * succeed, as both leave the one roster stream at the revision they read, and the second to append
 * reads again and finds itself the last. Should the role change fail after the roster was left (a
 * crash, a lost race on the account), the roster counts one admin too few: a later demotion may be
 * refused that could have gone ahead, never the reverse; promoting that account again repairs it.
 */
export const changeUserRole = async (
  environment: CommandEnvironment,
  request: {
    readonly userId: Uuid;
    readonly role: Role;
    readonly metadata: EventMetadata;
    readonly ifMatch?: Revision | undefined;
    readonly eventIds?: (stream: StreamName) => ((count: number) => readonly string[]) | undefined;
  },
): Promise<E.Either<CommandFailure<ChangeRoleError>, CommandSuccess<AccountEvent>>> => {
  const stream = userStream(request.userId);
  const account = await load(environment, { stream, decider: accountDecider, eventTypes: accountEventTypes });
  // A stale If-Match is answered before the roster is touched, so that it cannot leave the roster behind.
  if (request.ifMatch !== undefined && request.ifMatch !== account.revision) return E.left({ kind: 'stale', actual: account.revision });
  const demoting = account.state.status === 'active' && account.state.role === 'admin' && request.role !== 'admin';
  if (demoting) {
    const left = await leaveAdmins(environment, request.userId, request.metadata, request.eventIds?.(adminRosterStream));
    if (E.isLeft(left)) return left;
  }
  const changed = await handleCommand(environment, {
    stream,
    decider: accountDecider,
    eventTypes: accountEventTypes,
    command: { type: 'ChangeRole', role: request.role },
    metadata: request.metadata,
    ...(request.ifMatch === undefined ? {} : { ifMatch: request.ifMatch }),
    ...(request.eventIds?.(stream) === undefined ? {} : { eventIds: request.eventIds(stream) }),
  });
  if (E.isRight(changed) && request.role === 'admin') {
    // Also when the account was an admin already: a roster that missed it (see above) learns it here.
    const joined = await joinAdmins(environment, request.userId, request.metadata, request.eventIds?.(adminRosterStream));
    if (E.isLeft(joined)) return joined;
  }
  return changed;
};
