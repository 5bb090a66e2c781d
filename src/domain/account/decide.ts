import * as E from 'fp-ts/lib/Either.js';
import type { DisplayName, Email, IsoDateTime, Role, Uuid } from '../shared/codecs.ts';
import type { Decider } from '../shared/decider.ts';
import type { AccountEvent } from './events.ts';
import { evolveAccount, initialAccountState, type AccountState, type RegisteredAccount } from './state.ts';

// commands

export type AccountCommand =
  | {
      readonly type: 'RegisterUser';
      readonly userId: Uuid;
      readonly email: Email;
      readonly displayName: DisplayName;
      readonly passwordHash: string;
      readonly role: Role;
    }
  /**
   * The handler has checked the current password against `passwordHash` before sending this; every
   * session but `keptSessionId` (the caller's) ends with it.
   */
  | { readonly type: 'ChangePassword'; readonly newPasswordHash: string; readonly now: IsoDateTime; readonly keptSessionId: Uuid }
  | { readonly type: 'RequestPasswordReset'; readonly tokenHash: string; readonly expiresAt: IsoDateTime }
  | { readonly type: 'ResetPassword'; readonly tokenHash: string; readonly newPasswordHash: string; readonly now: IsoDateTime }
  | { readonly type: 'ChangeRole'; readonly role: Role }
  | { readonly type: 'DeactivateUser' }
  /** The handler has checked who asks (the account's password, or an admin) and that no last admin goes with it. */
  | { readonly type: 'ForgetUser' };

export type AccountError =
  | { readonly type: 'UserAlreadyRegistered' }
  | { readonly type: 'UserNotFound' }
  | { readonly type: 'UserDeactivated' }
  | { readonly type: 'ResetTokenInvalid' };

const error = (type: AccountError['type']): E.Either<AccountError, never> => E.left({ type });

// decisions

const registerUser = (command: Extract<AccountCommand, { type: 'RegisterUser' }>, state: AccountState) =>
  state.status !== 'unregistered'
    ? error('UserAlreadyRegistered')
    : E.right<AccountError, AccountEvent[]>([
        {
          type: 'UserRegistered',
          data: {
            userId: command.userId,
            email: command.email,
            displayName: command.displayName,
            passwordHash: command.passwordHash,
            role: command.role,
          },
        },
      ]);

const resetPassword = (command: Extract<AccountCommand, { type: 'ResetPassword' }>, state: RegisteredAccount) => {
  const pending = state.pendingReset;
  if (pending === null || pending.tokenHash !== command.tokenHash || Date.parse(pending.expiresAt) <= Date.parse(command.now)) {
    return error('ResetTokenInvalid');
  }
  return E.right<AccountError, AccountEvent[]>([
    {
      type: 'PasswordReset',
      data: { userId: state.userId, passwordHash: command.newPasswordHash, tokenHash: command.tokenHash, changedAt: command.now },
    },
  ]);
};

export const decideAccount = (command: AccountCommand, state: AccountState): E.Either<AccountError, readonly AccountEvent[]> => {
  if (command.type === 'RegisterUser') return registerUser(command, state);
  if (state.status === 'unregistered') return error('UserNotFound');
  // Forgetting twice is a no-op (the handler says so); a forgotten account is gone for anything else.
  if (command.type === 'ForgetUser')
    return E.right(state.status === 'forgotten' ? [] : [{ type: 'UserForgotten', data: { userId: state.userId } }]);
  if (state.status === 'forgotten') return error('UserNotFound');
  if (state.status === 'deactivated') return error('UserDeactivated');
  switch (command.type) {
    case 'ChangePassword':
      return E.right([
        {
          type: 'PasswordChanged',
          data: {
            userId: state.userId,
            passwordHash: command.newPasswordHash,
            changedAt: command.now,
            keptSessionId: command.keptSessionId,
          },
        },
      ]);
    case 'RequestPasswordReset':
      return E.right([
        { type: 'PasswordResetRequested', data: { userId: state.userId, tokenHash: command.tokenHash, expiresAt: command.expiresAt } },
      ]);
    case 'ResetPassword':
      return resetPassword(command, state);
    case 'ChangeRole':
      return command.role === state.role
        ? E.right([])
        : E.right([{ type: 'RoleChanged', data: { userId: state.userId, role: command.role, previousRole: state.role } }]);
    case 'DeactivateUser':
      return E.right([{ type: 'UserDeactivated', data: { userId: state.userId } }]);
    default: {
      const _never: never = command;
      return _never;
    }
  }
};

export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState, AccountError> = {
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
};
