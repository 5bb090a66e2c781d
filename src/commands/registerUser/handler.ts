import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { accountDecider } from '../../domain/account/decide.ts';
import { emailKey, type Role, type Uuid } from '../../domain/shared/codecs.ts';
import type { EventMetadata, Position } from '../../infrastructure/eventStore/eventStore.ts';
import { accountEventTypes } from '../../domain/account/events.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { handleCommand } from '../shared/handleCommand.ts';
import { claim } from '../shared/reservations.ts';
import { emailReservationStream, userStream } from '../../infrastructure/eventStore/streams.ts';
import type { RegisterUserRequest } from './command.ts';

export type RegisterUserError = 'EmailTaken';

/**
 * Two steps, each atomic: claim the e-mail (its reservation stream can be created once), then create
 * the account under the id the claim names. Should a registration stop between the two, the claim is
 * left without an account; the next registration with that address completes it rather than being
 * refused forever. Racing registrations for one address produce exactly one account either way.
 */
export const registerUser = async (
  dependencies: Pick<CommandDependencies, 'store' | 'registry' | 'passwords' | 'newId'>,
  request: t.TypeOf<typeof RegisterUserRequest>,
  options: {
    readonly role: Role;
    readonly metadata: EventMetadata;
    readonly eventIds?: (stream: string) => ((count: number) => readonly string[]) | undefined;
  },
): Promise<E.Either<RegisterUserError, { userId: Uuid; position: Position | null }>> => {
  const passwordHash = await dependencies.passwords.hash(request.password);
  const reservation = emailReservationStream(request.email);
  const userId = await claim(
    dependencies,
    reservation,
    { type: 'EmailReserved', data: { email: emailKey(request.email), userId: dependencies.newId() } },
    {
      metadata: options.metadata,
      eventIds: options.eventIds?.(reservation),
    },
  );

  const stream = userStream(userId);
  const registered = await handleCommand(dependencies, {
    stream,
    decider: accountDecider,
    eventTypes: accountEventTypes,
    command: { type: 'RegisterUser', userId, email: request.email, displayName: request.displayName, passwordHash, role: options.role },
    metadata: { ...options.metadata, actorId: options.metadata.actorId ?? userId },
    eventIds: options.eventIds?.(stream),
    maxAttempts: 1,
  });
  if (E.isLeft(registered)) return E.left('EmailTaken');
  return E.right({ userId, position: registered.right.position });
};
