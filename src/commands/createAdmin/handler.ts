import * as E from 'fp-ts/lib/Either.js';
import { Email } from '../../domain/shared/codecs.ts';
import { DisplayName } from '../../domain/shared/codecs.ts';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import { loadAccount, NewPassword, reservedUserId } from '../shared/accounts.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { registerUser } from '../registerUser/handler.ts';

export type CreateAdminOutcome = 'created' | 'exists' | 'exists-without-admin-role';

/**
 * Creates the admin account if no account has this address. An existing account is left alone, even
 * one without the admin role: promoting it silently would hand admin rights to whoever registered
 * the address first.
 */
export const createAdmin = async (
  dependencies: Pick<CommandDependencies, 'store' | 'registry' | 'passwords' | 'newId' | 'clock'>,
  credentials: { readonly email: string; readonly password: string },
): Promise<E.Either<string, CreateAdminOutcome>> => {
  const email = Email.decode(credentials.email);
  if (E.isLeft(email)) return E.left(`${credentials.email} is not an e-mail address`);
  const password = NewPassword.decode(credentials.password);
  if (E.isLeft(password)) return E.left('the admin password must be 8 to 256 characters');
  const existing = await reservedUserId(dependencies, email.right);
  const account = existing === undefined ? undefined : await loadAccount(dependencies, existing);
  if (account !== undefined && account.status !== 'unregistered')
    return E.right(account.role === 'admin' ? 'exists' : 'exists-without-admin-role');
  const displayName = DisplayName.decode('Administrator');
  if (E.isLeft(displayName)) return E.left('no display name');
  const metadata = { occurredAt: dependencies.clock().toISOString(), actorId: null, correlationId: crypto.randomUUID(), causationId: null };
  const registered = await registerUser(
    dependencies,
    { email: email.right, password: password.right, displayName: displayName.right },
    {
      role: 'admin',
      metadata,
      eventIds: () => (count) => Array.from({ length: count }, () => crypto.randomUUID()),
    },
  );
  return E.isLeft(registered) ? E.right('exists') : E.right('created');
};

export const logCreateAdminOutcome = (log: Logger, email: string, outcome: E.Either<string, CreateAdminOutcome>): void => {
  if (E.isLeft(outcome)) log.error({ email }, `admin not created: ${outcome.left}`);
  else if (outcome.right === 'created') log.info({ email }, 'admin account created');
  else if (outcome.right === 'exists-without-admin-role')
    log.warn({ email }, 'an account with the admin e-mail exists without the admin role; it was left as it is');
};
