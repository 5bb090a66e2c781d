import type { SessionEvent } from '../../../src/domain/session/events.ts';
import { sessionDecider } from '../../../src/domain/session/decide.ts';
import { deciderSpec } from '../../support/deciderSpec.ts';
import { at, uuid } from '../../support/values.ts';

const spec = deciderSpec(sessionDecider);
const sessionId = uuid();
const userId = uuid();
const started: SessionEvent = {
  type: 'SessionStarted',
  data: { sessionId, userId, refreshTokenHash: 't1', expiresAt: at('2026-02-01T00:00:00Z') },
};
const refreshed: SessionEvent = {
  type: 'SessionRefreshed',
  data: { sessionId, userId, refreshTokenHash: 't2', expiresAt: at('2026-02-02T00:00:00Z') },
};
const account = { active: true, role: 'user' } as const;
const refresh = (presentedTokenHash: string, now = '2026-01-15T00:00:00Z') =>
  ({
    type: 'RefreshSession',
    presentedTokenHash,
    newTokenHash: 'next',
    expiresAt: at('2026-02-15T00:00:00Z'),
    now: at(now),
    account,
  }) as const;

describe('a session', () => {
  it('starts with the hash of its first refresh token', () =>
    spec
      .given([])
      .when({ type: 'StartSession', sessionId, userId, refreshTokenHash: 't1', expiresAt: at('2026-02-01T00:00:00Z') })
      .then([started]));

  it('cannot start twice', () =>
    spec
      .given([started])
      .when({ type: 'StartSession', sessionId, userId, refreshTokenHash: 'x', expiresAt: at('2026-02-01T00:00:00Z') })
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
        .when({ ...refresh('t1'), account: { active: false, role: 'user' } })
        .thenFails({ type: 'AccountInactive' }));

    it('refuses an unknown session', () => spec.given([]).when(refresh('t1')).thenFails({ type: 'SessionNotFound' }));
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
