import { accountDecider } from '../../domain/account/decide.ts';
import { accountEventTypes } from '../../domain/account/events.ts';
import type { AccountState } from '../../domain/account/state.ts';
import type { Email, Uuid } from '../../domain/shared/codecs.ts';
import { textCodec } from '../../domain/shared/text.ts';
import { withSchema } from '../../infrastructure/codecs/schemaHints.ts';
import { load, type CommandEnvironment } from './handleCommand.ts';
import { ownerOf } from './reservations.ts';
import { emailReservationStream, userStream } from '../../infrastructure/eventStore/streams.ts';

/**
 * A password as a client sends it: long enough to resist guessing, short enough to hash cheaply. In
 * NFKC (NIST SP 800-63B §5.1.1.2), so that the same characters typed on another keyboard or system
 * are the same password; never with an unpaired surrogate, which UTF-8 would hash as U+FFFD (so that
 * all such passwords would open one another's accounts).
 */
export interface NewPasswordBrand {
  readonly NewPassword: unique symbol;
}
export const NewPassword = withSchema(
  textCodec<NewPasswordBrand>('NewPassword', (s) => (s.length >= 8 && s.length <= 256 ? undefined : 'must be 8 to 256 characters'), {
    normalize: 'NFKC',
  }),
  { type: 'string', format: 'password', minLength: 8, maxLength: 256 },
);

/**
 * A password offered to prove who one is (login, the current password): normalised as NewPassword
 * is. Any length up to NewPassword's longest: a password that breaks a rule only matches no account.
 */
export interface PasswordBrand {
  readonly Password: unique symbol;
}
export const Password = withSchema(
  textCodec<PasswordBrand>('Password', (s) => (s.length <= 256 ? undefined : 'must be at most 256 characters'), { normalize: 'NFKC' }),
  { type: 'string', format: 'password', maxLength: 256 },
);

/** A token this service gave out (refresh, password reset): opaque, but text of a bounded length. */
export interface TokenBrand {
  readonly Token: unique symbol;
}
export const Token = withSchema(
  textCodec<TokenBrand>('Token', (s) => (s.length <= 512 ? undefined : 'must be at most 512 characters')),
  { type: 'string', maxLength: 512 },
);

/** The account an e-mail address was reserved for, if any (in any letter case). */
export const reservedUserId = (environment: CommandEnvironment, email: Email): Promise<Uuid | undefined> =>
  ownerOf(environment, emailReservationStream(email));

export const loadAccount = async (environment: CommandEnvironment, userId: Uuid): Promise<AccountState> =>
  (await load(environment, { stream: userStream(userId), decider: accountDecider, eventTypes: accountEventTypes })).state;
