import type { Email } from '../../domain/shared/codecs.ts';
import type { EventMetadata } from '../../infrastructure/eventStore/eventStore.ts';
import { loadAccount, reservedUserId } from '../shared/accounts.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { startSession, type IssuedTokens } from '../shared/sessions.ts';

export type LogInError = 'InvalidCredentials' | 'AccountDeactivated';

/**
 * Unknown address, wrong password: one answer for both, after the same scrypt work, so that neither
 * the reply nor its timing tells whether an account exists.
 */
export const logIn = async (
  dependencies: Pick<CommandDependencies, 'store' | 'registry' | 'passwords' | 'tokens' | 'newId' | 'clock'>,
  credentials: { readonly email: Email; readonly password: string },
  metadata: EventMetadata,
): Promise<IssuedTokens | LogInError> => {
  const userId = await reservedUserId(dependencies, credentials.email);
  const account = userId === undefined ? undefined : await loadAccount(dependencies, userId);
  // A forgotten account's address was released, so it is rarely found; when it is (a crash before the release), it is no account.
  if (account === undefined || account.status === 'unregistered' || account.status === 'forgotten')
    return dependencies.passwords.verifyNothing(credentials.password).then(() => 'InvalidCredentials');
  if (!(await dependencies.passwords.verify(account.passwordHash, credentials.password))) return 'InvalidCredentials';
  if (account.status === 'deactivated') return 'AccountDeactivated';
  return startSession(dependencies, { userId: account.userId, role: account.role }, metadata);
};
