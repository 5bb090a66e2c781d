import * as E from 'fp-ts/lib/Either.js';
import { UserRegistered } from '../../domain/account/events.ts';
import { Uuid } from '../../domain/shared/codecs.ts';
import type { EventStore } from '../../infrastructure/eventStore/eventStore.ts';
import { userStream } from '../../infrastructure/eventStore/streams.ts';
import { redacted } from '../../infrastructure/personalData/personalFields.ts';

/** Whom a welcome goes to; undefined for an account that is unknown or forgotten. */
export type RecipientOf = (userId: string) => Promise<{ readonly email: string; readonly displayName: string } | undefined>;

/**
 * The address and name as the account's first event has them, read through the sealing store when
 * the mail is sent: a welcome job keeps only the account id, so that no copy of the address waits in
 * the jobs table, and a forgotten account (its fields read redacted) is mailed nothing.
 */
export const recipientsFrom =
  (store: EventStore): RecipientOf =>
  async (userId) => {
    const id = Uuid.decode(userId);
    if (E.isLeft(id)) return undefined;
    const [first] = await store.readStream(userStream(id.right), { maxCount: 1 });
    if (first?.type !== UserRegistered.type) return undefined;
    const decoded = UserRegistered.codec.decode(first.data);
    if (E.isLeft(decoded) || decoded.right.email === redacted.email) return undefined;
    return { email: decoded.right.email, displayName: decoded.right.displayName };
  };
