import * as t from 'io-ts';
import { accountDecider } from '../../domain/account/decide.ts';
import { accountEvents } from '../../domain/account/events.ts';
import type { AccountState } from '../../domain/account/state.ts';
import type { Email, Uuid } from '../../domain/shared/codecs.ts';
import { load, type CommandEnvironment } from './handleCommand.ts';
import { ownerOf } from './reservations.ts';
import { emailReservationStream, userStream } from './streams.ts';

export const accountEventTypes: ReadonlySet<string> = new Set(accountEvents.map((definition) => definition.type));

/** A password as a client sends it: long enough to resist guessing, short enough to hash cheaply. */
export interface NewPasswordBrand {
  readonly NewPassword: unique symbol;
}
export const NewPassword = t.brand(
  t.string,
  (s): s is t.Branded<string, NewPasswordBrand> => s.length >= 8 && s.length <= 256,
  'NewPassword',
);

/** The account an e-mail address was reserved for, if any (in any letter case). */
export const reservedUserId = (environment: CommandEnvironment, email: Email): Promise<Uuid | undefined> =>
  ownerOf(environment, emailReservationStream(email));

export const loadAccount = async (environment: CommandEnvironment, userId: Uuid): Promise<AccountState> =>
  (await load(environment, { stream: userStream(userId), decider: accountDecider, eventTypes: accountEventTypes })).state;
