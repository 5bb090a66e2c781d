import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { PasswordResetRequested, UserRegistered } from '../../domain/account/events.ts';
import type { Enqueue } from '../../infrastructure/jobs/index.ts';
import type { StoredEvent } from '../../infrastructure/eventStore/eventStore.ts';
import type { Reactor } from '../runtime/index.ts';
import { passwordResetMailJobName, welcomeMailJobName, type PasswordResetMailData, type WelcomeMailData } from './jobs.ts';

/**
 * Asks for the mail an event calls for: a welcome on `UserRegistered`, the token on
 * `PasswordResetRequested`. It only enqueues, keyed by the event's id, so that a redelivery (a
 * restart before the checkpoint moved) enqueues nothing new, and the job keyed by that id sends
 * once (jobs.ts). Its checkpoint is its own: a projection rebuild never reaches it. Bulk loads
 * (the importer, `demo`) register users by the thousand: the runtime passes over their events.
 */
export const mailReactor = (enqueue: Enqueue): Reactor => ({
  name: 'mail',
  eventTypes: [UserRegistered.type, PasswordResetRequested.type],
  handle: async (event, { once }) => {
    await once('', async () => {
      if (event.type === UserRegistered.type) {
        const data = decoded(UserRegistered.codec, event);
        await enqueue<WelcomeMailData & Record<string, unknown>>(
          welcomeMailJobName,
          // Not the address: it would wait in the jobs table, out of reach of forgetting (recipients.ts).
          { userId: data.userId },
          event.eventId,
        );
      } else {
        const data = decoded(PasswordResetRequested.codec, event);
        await enqueue<PasswordResetMailData & Record<string, unknown>>(
          passwordResetMailJobName,
          { userId: data.userId, tokenHash: data.tokenHash },
          event.eventId,
        );
      }
    });
  },
});

/** Thrown on an event that does not decode: the runtime retries, then parks it where `reactors status` shows it. */
const decoded = <A>(codec: t.Type<A, unknown, unknown>, event: StoredEvent): A => {
  const result = codec.decode(event.data);
  if (E.isLeft(result)) throw new Error(`${event.type} ${event.eventId} does not decode`);
  return result.right;
};
