import * as E from 'fp-ts/lib/Either.js';
import { accountDecider, type AccountError } from '../../domain/account/decide.ts';
import { accountEventTypes, type AccountEvent } from '../../domain/account/events.ts';
import type { RegisteredAccount } from '../../domain/account/state.ts';
import type { AdminRosterError } from '../../domain/adminRoster/decide.ts';
import type { Uuid } from '../../domain/shared/codecs.ts';
import type { EventMetadata, StreamName } from '../../infrastructure/eventStore/eventStore.ts';
import { adminRosterStream, emailReservationStream, userStream } from '../../infrastructure/eventStore/streams.ts';
import { appendTyped } from '../../infrastructure/eventStore/typedAppend.ts';
import type { ErasePersonalData } from '../../infrastructure/personalData/erasure.ts';
import { redacted } from '../../infrastructure/personalData/personalFields.ts';
import { leaveAdmins } from '../changeUserRole/adminRoster.ts';
import { handleCommand, load, type CommandEnvironment, type CommandFailure, type CommandSuccess } from '../shared/handleCommand.ts';
import { ownerOf } from '../shared/reservations.ts';

export type ForgetUserError = AccountError | AdminRosterError | { readonly type: 'WrongPassword' };

export interface ForgetUserOutcome extends CommandSuccess<AccountEvent> {
  /** False when the account had been forgotten before: nothing new was appended. */
  readonly forgotten: boolean;
}

/**
 * Forgets an account (`DELETE /me`, `DELETE /admin/users/:id`). In this order, each step safe to
 * repeat, so that a second request finishes what a crash left half done: an admin leaves the admin
 * roster first (refused for the last one, as a demotion is); `UserForgotten` is appended (sessions end
 * with it, on every API process); the e-mail reservation is released; then the key is destroyed, last,
 * because releasing needs the address, which only the key still opens.
 */
export const forgetUser = async (
  environment: CommandEnvironment & { readonly erasePersonalData: ErasePersonalData },
  request: {
    readonly userId: Uuid;
    readonly metadata: EventMetadata;
    /** For `DELETE /me`: whether the password offered is the account's. */
    readonly checkPassword?: (account: RegisteredAccount) => Promise<boolean>;
    readonly eventIds?: (stream: StreamName) => ((count: number) => readonly string[]) | undefined;
  },
): Promise<E.Either<CommandFailure<ForgetUserError>, ForgetUserOutcome>> => {
  const stream = userStream(request.userId);
  const { state } = await load(environment, { stream, decider: accountDecider, eventTypes: accountEventTypes });
  if (state.status === 'unregistered') return E.left({ kind: 'rejected', error: { type: 'UserNotFound' } });
  if (request.checkPassword !== undefined && !(await request.checkPassword(state)))
    return E.left({ kind: 'rejected', error: { type: 'WrongPassword' } });
  if (state.status === 'active' && state.role === 'admin') {
    const left = await leaveAdmins(environment, request.userId, request.metadata, request.eventIds?.(adminRosterStream));
    if (E.isLeft(left)) return left;
  }
  const eventIds = request.eventIds?.(stream);
  const appended = await handleCommand(environment, {
    stream,
    decider: accountDecider,
    eventTypes: accountEventTypes,
    command: { type: 'ForgetUser' },
    metadata: request.metadata,
    ...(eventIds === undefined ? {} : { eventIds }),
  });
  if (E.isLeft(appended)) return appended;
  if (state.email !== redacted.email) await releaseAddress(environment, state, request.metadata);
  await environment.erasePersonalData(request.userId);
  return E.right({ ...appended.right, forgotten: appended.right.events.length > 0 });
};

/** The address may be registered again, by a new account: its reservation is released, if it is still this account's. */
const releaseAddress = async (environment: CommandEnvironment, account: RegisteredAccount, metadata: EventMetadata): Promise<void> => {
  const reservation = emailReservationStream(account.email);
  if ((await ownerOf(environment, reservation)) !== account.userId) return;
  await appendTyped(environment.store, environment.registry, reservation, [{ type: 'EmailReleased', data: { userId: account.userId } }], {
    expectedRevision: 'stream_exists',
    metadata,
  });
};
