import type { SessionEvent } from '../../../src/domain/session/events.ts';
import { sessionDecider } from '../../../src/domain/session/decide.ts';
import { deciderSpec } from '../../support/deciderSpec.ts';
import { at, uuid } from '../../support/values.ts';

const spec = deciderSpec(sessionDecider);
const sessionId = uuid();
const userId = uuid();
const started: SessionEvent = {
  type: 'SessionStarted',
  data: { sessionId, userId, refreshTokenHash: 't1', expiresAt: at('2026-02-01T00:00:00Z'), startedAt: at('2026-01-01T00:00:00Z') },
};
/** As sessions started before they had a whole lifetime were recorded. */
const startedLongAgo: SessionEvent = {
  type: 'SessionStarted',
  data: { sessionId, userId, refreshTokenHash: 't1', expiresAt: at('2026-02-01T00:00:00Z') },
};
const refreshed: SessionEvent = {
  type: 'SessionRefreshed',
  data: { sessionId, userId, refreshTokenHash: 't2', expiresAt: at('2026-02-02T00:00:00Z') },
};
const account = { active: true, role: 'user', sessionsEndedBefore: null } as const;
const refresh = (presentedTokenHash: string, now = '2026-01-15T00:00:00Z') =>
  ({
    type: 'RefreshSession',
    presentedTokenHash,
    newTokenHash: 'next',
    expiresAt: at('2026-02-15T00:00:00Z'),
    lifetimeSeconds: 60 * 86_400,
    now: at(now),
    account,
  }) as const;

const rotated = (expiresAt: string): SessionEvent[] => [
  { type: 'SessionRefreshed', data: { sessionId, userId, refreshTokenHash: 'next', expiresAt: at(expiresAt) } },
];

describe('a session', () => {
  it('starts with the hash of its first refresh token', () =>
    spec
      .given([])
      .when({
        type: 'StartSession',
        sessionId,
        userId,
        refreshTokenHash: 't1',
        expiresAt: at('2026-02-01T00:00:00Z'),
        startedAt: at('2026-01-01T00:00:00Z'),
      })
      .then([started]));

  it('cannot start twice', () =>
    spec
      .given([started])
      .when({
        type: 'StartSession',
        sessionId,
        userId,
        refreshTokenHash: 'x',
        expiresAt: at('2026-02-01T00:00:00Z'),
        startedAt: at('2026-01-02T00:00:00Z'),
      })
      .thenFails({ type: 'SessionRevoked' }));

  describe('when refreshing', () => {
    it('rotates the current token', () =>
      spec
        .given([started])
        .when(refresh('t1'))
        .then([
          { type: 'SessionRefreshed', data: { sessionId, userId, refreshTokenHash: 'next', expiresAt: at('2026-02-15T00:00:00Z') } },
        ]));

    it('revokes the whole session when a rotated token comes back', () =>
      spec
        .given([started, refreshed])
        .when(refresh('t1'))
        .then([{ type: 'SessionRevoked', data: { sessionId, userId, reason: 'refresh_token_reused' } }]));

    it('refuses a token it never issued', () => spec.given([started]).when(refresh('forged')).thenFails({ type: 'TokenNotRecognised' }));

    it('refuses once the session has expired', () =>
      spec.given([started]).when(refresh('t1', '2026-02-01T00:00:00Z')).thenFails({ type: 'SessionExpired' }));

    it('refuses a revoked session', () =>
      spec
        .given([started, { type: 'SessionRevoked', data: { sessionId, userId, reason: 'logout' } }])
        .when(refresh('t1'))
        .thenFails({ type: 'SessionRevoked' }));

    it('refuses a deactivated account', () =>
      spec
        .given([started])
        .when({ ...refresh('t1'), account: { ...account, active: false } })
        .thenFails({ type: 'AccountInactive' }));

    it('refuses an unknown session', () => spec.given([]).when(refresh('t1')).thenFails({ type: 'SessionNotFound' }));

    describe('its whole lifetime', () => {
      it('is not extended by a refresh: the new token expires when the session does', () =>
        spec
          .given([started])
          .when({ ...refresh('t1'), lifetimeSeconds: 30 * 86_400 })
          .then(rotated('2026-01-31T00:00:00.000Z')));

      it('ends the session even while its refresh token is valid', () =>
        spec
          .given([started, { ...refreshed, data: { ...refreshed.data, expiresAt: at('2026-06-01T00:00:00Z') } }])
          .when(refresh('t2', '2026-03-03T00:00:00Z'))
          .thenFails({ type: 'SessionExpired' }));

      it('keeps a session started before lifetimes to the expiry it has, never further', () =>
        spec.given([startedLongAgo]).when(refresh('t1')).then(rotated('2026-02-01T00:00:00.000Z')));
    });

    describe('after the password changed', () => {
      const changed = (at_: string, except: string | null) => ({
        ...account,
        sessionsEndedBefore: { at: at(at_), except: except === null ? null : sessionId },
      });

      it('revokes a session started before the change, recording why', () =>
        spec
          .given([started])
          .when({ ...refresh('t1'), account: changed('2026-01-10T00:00:00Z', null) })
          .then([{ type: 'SessionRevoked', data: { sessionId, userId, reason: 'password_changed' } }]));

      it('revokes a session from before lifetimes were recorded, whose start is unknown', () =>
        spec
          .given([startedLongAgo])
          .when({ ...refresh('t1'), account: changed('2026-01-10T00:00:00Z', null) })
          .then([{ type: 'SessionRevoked', data: { sessionId, userId, reason: 'password_changed' } }]));

      it('keeps the session that changed it', () =>
        spec
          .given([started])
          .when({ ...refresh('t1'), account: changed('2026-01-10T00:00:00Z', sessionId) })
          .then(rotated('2026-02-15T00:00:00Z')));

      it('keeps a session started after the change', () =>
        spec
          .given([started])
          .when({ ...refresh('t1'), account: changed('2025-12-31T00:00:00Z', null) })
          .then(rotated('2026-02-15T00:00:00Z')));
    });
  });

  describe('when logging out', () => {
    it('revokes the session', () =>
      spec
        .given([started, refreshed])
        .when({ type: 'EndSession', presentedTokenHash: 't2' })
        .then([{ type: 'SessionRevoked', data: { sessionId, userId, reason: 'logout' } }]));

    it('records nothing when already logged out', () =>
      spec
        .given([started, { type: 'SessionRevoked', data: { sessionId, userId, reason: 'logout' } }])
        .when({ type: 'EndSession', presentedTokenHash: 't1' })
        .thenNothingHappens());

    it('refuses a token the session never issued', () =>
      spec.given([started]).when({ type: 'EndSession', presentedTokenHash: 'forged' }).thenFails({ type: 'TokenNotRecognised' }));

    it('refuses an unknown session', () =>
      spec.given([]).when({ type: 'EndSession', presentedTokenHash: 't1' }).thenFails({ type: 'SessionNotFound' }));
  });
});
