import { accountDecider } from '../../../src/domain/account/decide.ts';
import type { AccountEvent } from '../../../src/domain/account/events.ts';
import { deciderSpec } from '../../support/deciderSpec.ts';
import { at, displayName, email, uuid } from '../../support/values.ts';

const spec = deciderSpec(accountDecider);
const userId = uuid();
const sessionId = uuid();
const registered: AccountEvent = {
  type: 'UserRegistered',
  data: { userId, email: email('Ada@Example.com'), displayName: displayName('Ada'), passwordHash: 'hash-1', role: 'user' },
};
const resetRequested: AccountEvent = {
  type: 'PasswordResetRequested',
  data: { userId, tokenHash: 'token-hash', expiresAt: at('2026-01-01T01:00:00Z') },
};

describe('an account', () => {
  describe('when registering', () => {
    it('records the registration', () =>
      spec
        .given([])
        .when({
          type: 'RegisterUser',
          userId,
          email: email('Ada@Example.com'),
          displayName: displayName('Ada'),
          passwordHash: 'hash-1',
          role: 'user',
        })
        .then([registered]));

    it('refuses to register the same user twice', () =>
      spec
        .given([registered])
        .when({
          type: 'RegisterUser',
          userId,
          email: email('ada@example.com'),
          displayName: displayName('Ada'),
          passwordHash: 'h',
          role: 'user',
        })
        .thenFails({ type: 'UserAlreadyRegistered' }));
  });

  describe('when changing the password', () => {
    it('records the new hash, and that it ends every session but the one that changed it', () =>
      spec
        .given([registered])
        .when({ type: 'ChangePassword', newPasswordHash: 'hash-2', now: at('2026-01-01T00:10:00Z'), keptSessionId: sessionId })
        .then([
          {
            type: 'PasswordChanged',
            data: { userId, passwordHash: 'hash-2', changedAt: at('2026-01-01T00:10:00Z'), keptSessionId: sessionId },
          },
        ]));

    it('refuses an unknown user', () =>
      spec
        .given([])
        .when({ type: 'ChangePassword', newPasswordHash: 'h', now: at('2026-01-01T00:10:00Z'), keptSessionId: sessionId })
        .thenFails({ type: 'UserNotFound' }));

    it('refuses a deactivated user', () =>
      spec
        .given([registered, { type: 'UserDeactivated', data: { userId } }])
        .when({ type: 'ChangePassword', newPasswordHash: 'h', now: at('2026-01-01T00:10:00Z'), keptSessionId: sessionId })
        .thenFails({ type: 'UserDeactivated' }));
  });

  describe('when resetting a forgotten password', () => {
    it('records the request with the token hash and its expiry', () =>
      spec
        .given([registered])
        .when({ type: 'RequestPasswordReset', tokenHash: 'token-hash', expiresAt: at('2026-01-01T01:00:00Z') })
        .then([resetRequested]));

    it('resets with the right token before it expires', () =>
      spec
        .given([registered, resetRequested])
        .when({ type: 'ResetPassword', tokenHash: 'token-hash', newPasswordHash: 'hash-3', now: at('2026-01-01T00:30:00Z') })
        .then([
          {
            type: 'PasswordReset',
            data: { userId, passwordHash: 'hash-3', tokenHash: 'token-hash', changedAt: at('2026-01-01T00:30:00Z') },
          },
        ]));

    it('refuses a wrong token', () =>
      spec
        .given([registered, resetRequested])
        .when({ type: 'ResetPassword', tokenHash: 'other', newPasswordHash: 'h', now: at('2026-01-01T00:30:00Z') })
        .thenFails({ type: 'ResetTokenInvalid' }));

    it('refuses an expired token', () =>
      spec
        .given([registered, resetRequested])
        .when({ type: 'ResetPassword', tokenHash: 'token-hash', newPasswordHash: 'h', now: at('2026-01-01T01:00:00Z') })
        .thenFails({ type: 'ResetTokenInvalid' }));

    it('refuses a token used once already', () =>
      spec
        .given([registered, resetRequested, { type: 'PasswordReset', data: { userId, passwordHash: 'hash-3', tokenHash: 'token-hash' } }])
        .when({ type: 'ResetPassword', tokenHash: 'token-hash', newPasswordHash: 'h', now: at('2026-01-01T00:31:00Z') })
        .thenFails({ type: 'ResetTokenInvalid' }));

    it('refuses a token superseded by a password change', () =>
      spec
        .given([registered, resetRequested, { type: 'PasswordChanged', data: { userId, passwordHash: 'hash-2' } }])
        .when({ type: 'ResetPassword', tokenHash: 'token-hash', newPasswordHash: 'h', now: at('2026-01-01T00:31:00Z') })
        .thenFails({ type: 'ResetTokenInvalid' }));

    it('refuses to reset the password of an unknown user', () =>
      spec
        .given([])
        .when({ type: 'ResetPassword', tokenHash: 't', newPasswordHash: 'h', now: at('2026-01-01T00:00:00Z') })
        .thenFails({ type: 'UserNotFound' }));
  });

  describe('when changing the role', () => {
    it('records the new role with the one it replaces', () =>
      spec
        .given([registered])
        .when({ type: 'ChangeRole', role: 'admin' })
        .then([{ type: 'RoleChanged', data: { userId, role: 'admin', previousRole: 'user' } }]));

    it('records nothing when the role is already that', () =>
      spec.given([registered]).when({ type: 'ChangeRole', role: 'user' }).thenNothingHappens());

    it('refuses an unknown user', () => spec.given([]).when({ type: 'ChangeRole', role: 'admin' }).thenFails({ type: 'UserNotFound' }));
  });

  describe('when deactivating', () => {
    it('records the deactivation', () =>
      spec
        .given([registered])
        .when({ type: 'DeactivateUser' })
        .then([{ type: 'UserDeactivated', data: { userId } }]));

    it('refuses an account already deactivated', () =>
      spec
        .given([registered, { type: 'UserDeactivated', data: { userId } }])
        .when({ type: 'DeactivateUser' })
        .thenFails({ type: 'UserDeactivated' }));
  });
});
