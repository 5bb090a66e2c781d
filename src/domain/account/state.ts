import type { DisplayName, Email, IsoDateTime, Role, Uuid } from '../shared/codecs.ts';
import type { AccountEvent } from './events.ts';

export type AccountState =
  | { readonly status: 'unregistered' }
  | {
      readonly status: 'active' | 'deactivated';
      readonly userId: Uuid;
      readonly email: Email;
      readonly displayName: DisplayName;
      readonly passwordHash: string;
      readonly role: Role;
      readonly pendingReset: { readonly tokenHash: string; readonly expiresAt: IsoDateTime } | null;
    };

export type RegisteredAccount = Exclude<AccountState, { readonly status: 'unregistered' }>;

export const initialAccountState = (): AccountState => ({ status: 'unregistered' });

export const evolveAccount = (state: AccountState, event: AccountEvent): AccountState => {
  if (event.type === 'UserRegistered') {
    const { userId, email, displayName, passwordHash, role } = event.data;
    return { status: 'active', userId, email, displayName, passwordHash, role, pendingReset: null };
  }
  if (state.status === 'unregistered') return state;
  switch (event.type) {
    case 'PasswordChanged':
      return { ...state, passwordHash: event.data.passwordHash, pendingReset: null };
    case 'PasswordResetRequested':
      return { ...state, pendingReset: { tokenHash: event.data.tokenHash, expiresAt: event.data.expiresAt } };
    case 'PasswordReset':
      return { ...state, passwordHash: event.data.passwordHash, pendingReset: null };
    case 'RoleChanged':
      return { ...state, role: event.data.role };
    case 'UserDeactivated':
      return { ...state, status: 'deactivated' };
  }
};
