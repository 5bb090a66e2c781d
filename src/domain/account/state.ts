import type { DisplayName, Email, IsoDateTime, Role, Uuid } from '../shared/codecs.ts';
import type { AccountEvent } from './events.ts';

export type AccountState =
  | { readonly status: 'unregistered' }
  | {
      /** Forgotten: its personal fields read as redacted (the key that sealed them is gone); nothing more happens to it. */
      readonly status: 'active' | 'deactivated' | 'forgotten';
      readonly userId: Uuid;
      readonly email: Email;
      readonly displayName: DisplayName;
      readonly passwordHash: string;
      readonly role: Role;
      readonly pendingReset: { readonly tokenHash: string; readonly expiresAt: IsoDateTime } | null;
      /** Sessions started before `at` are over, but `except` (the one that changed the password). */
      readonly sessionsEndedBefore: SessionsEnded | null;
    };

export interface SessionsEnded {
  readonly at: IsoDateTime;
  readonly except: Uuid | null;
}

export type RegisteredAccount = Exclude<AccountState, { readonly status: 'unregistered' }>;

export const initialAccountState = (): AccountState => ({ status: 'unregistered' });

export const evolveAccount = (state: AccountState, event: AccountEvent): AccountState => {
  if (event.type === 'UserRegistered') {
    const { userId, email, displayName, passwordHash, role } = event.data;
    return { status: 'active', userId, email, displayName, passwordHash, role, pendingReset: null, sessionsEndedBefore: null };
  }
  if (state.status === 'unregistered') return state;
  switch (event.type) {
    case 'PasswordChanged': {
      const { changedAt, keptSessionId } = event.data;
      const ended = changedAt === undefined ? state.sessionsEndedBefore : { at: changedAt, except: keptSessionId ?? null };
      return { ...state, passwordHash: event.data.passwordHash, pendingReset: null, sessionsEndedBefore: ended };
    }
    case 'PasswordResetRequested':
      return { ...state, pendingReset: { tokenHash: event.data.tokenHash, expiresAt: event.data.expiresAt } };
    case 'PasswordReset': {
      const { changedAt } = event.data;
      const ended = changedAt === undefined ? state.sessionsEndedBefore : { at: changedAt, except: null };
      return { ...state, passwordHash: event.data.passwordHash, pendingReset: null, sessionsEndedBefore: ended };
    }
    case 'RoleChanged':
      return { ...state, role: event.data.role };
    case 'UserDeactivated':
      return state.status === 'forgotten' ? state : { ...state, status: 'deactivated' };
    case 'UserForgotten':
      return { ...state, status: 'forgotten', pendingReset: null };
  }
};
