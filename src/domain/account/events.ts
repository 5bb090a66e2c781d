import * as t from 'io-ts';
import { DisplayName, Email, IsoDateTime, Role, Uuid } from '../shared/codecs.ts';
import { defineEvent, type EventOf } from '../shared/eventDefinition.ts';

// An account's stream, `user-<userId>`: who the user is, their credentials and role. Sessions have
// streams of their own (../session) so that frequent logins and token refreshes do not lengthen the
// fold every command on the account has to read.

export const UserRegistered = defineEvent(
  'UserRegistered',
  t.type({ userId: Uuid, email: Email, displayName: DisplayName, passwordHash: t.string, role: Role }),
);
/**
 * A new password ends every session started before `changedAt` but `keptSessionId` (the one that
 * changed it). Both are absent from events written before sessions ended so: those ended none.
 */
export const PasswordChanged = defineEvent(
  'PasswordChanged',
  t.intersection([t.type({ userId: Uuid, passwordHash: t.string }), t.partial({ changedAt: IsoDateTime, keptSessionId: Uuid })]),
);
/** Only the token's hash is kept; the token itself goes to the user by e-mail. */
export const PasswordResetRequested = defineEvent(
  'PasswordResetRequested',
  t.type({ userId: Uuid, tokenHash: t.string, expiresAt: IsoDateTime }),
);
/** A reset ends every session started before `changedAt` (absent from older events, which ended none). */
export const PasswordReset = defineEvent(
  'PasswordReset',
  t.intersection([t.type({ userId: Uuid, passwordHash: t.string, tokenHash: t.string }), t.partial({ changedAt: IsoDateTime })]),
);
export const RoleChanged = defineEvent('RoleChanged', t.type({ userId: Uuid, role: Role, previousRole: Role }));
export const UserDeactivated = defineEvent('UserDeactivated', t.type({ userId: Uuid }));
/**
 * The account is forgotten (GDPR erasure): its personal data, sealed in its events with a key kept
 * outside the log, is erased by destroying that key once this is appended; its sessions end, and
 * its address can be registered again. The events stay, so every chain still verifies.
 */
export const UserForgotten = defineEvent('UserForgotten', t.type({ userId: Uuid }));

export const accountEvents = [
  UserRegistered,
  PasswordChanged,
  PasswordResetRequested,
  PasswordReset,
  RoleChanged,
  UserDeactivated,
  UserForgotten,
] as const;
export type AccountEvent = EventOf<(typeof accountEvents)[number]>;
/** The types an account's stream folds: its own events, whatever else the stream may come to hold. */
export const accountEventTypes: ReadonlySet<string> = new Set(accountEvents.map((definition) => definition.type));
