import * as t from 'io-ts';
import { IsoDateTime, Uuid } from '../shared/codecs.ts';
import { defineEvent, type EventOf } from '../shared/eventDefinition.ts';

// A login session's stream, `session-<sessionId>`: the audit trail of access. A refresh token is
// good for one use; each refresh rotates it. Presenting a token that was already rotated means it
// leaked, so the whole session is revoked.

/** `ended_by_user`: ended from another of the account's sessions (`DELETE /me/sessions/:id`). */
export const RevocationReason = t.keyof(
  { logout: null, refresh_token_reused: null, password_changed: null, ended_by_user: null },
  'RevocationReason',
);

/** `startedAt` bounds the session's whole life (refreshes do not extend it); absent from events written before it did. */
export const SessionStarted = defineEvent(
  'SessionStarted',
  t.intersection([
    t.type({ sessionId: Uuid, userId: Uuid, refreshTokenHash: t.string, expiresAt: IsoDateTime }),
    t.partial({ startedAt: IsoDateTime }),
  ]),
);
export const SessionRefreshed = defineEvent(
  'SessionRefreshed',
  t.type({ sessionId: Uuid, userId: Uuid, refreshTokenHash: t.string, expiresAt: IsoDateTime }),
);
export const SessionRevoked = defineEvent('SessionRevoked', t.type({ sessionId: Uuid, userId: Uuid, reason: RevocationReason }));

export const sessionEvents = [SessionStarted, SessionRefreshed, SessionRevoked] as const;
export type SessionEvent = EventOf<(typeof sessionEvents)[number]>;
