import * as E from 'fp-ts/lib/Either.js';
import { Email } from '../../domain/shared/codecs.ts';
import { DisplayName } from '../../domain/shared/codecs.ts';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import { loadAccount, NewPassword, reservedUserId } from '../shared/accounts.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { registerUser } from '../registerUser/handler.ts';
import { joinAdmins } from '../changeUserRole/adminRoster.ts';
import { changeUserRole } from '../changeUserRole/handler.ts';

export type CreateAdminOutcome = 'created' | 'exists' | 'exists-without-admin-role' | 'promoted';

/**
 * Creates the admin account if no account has this address. An existing account is left alone, even
 * one without the admin role: promoting it silently would hand admin rights to whoever registered
 * the address first. Unless `promote` says to (`users create-admin --promote`, run by someone at the
 * shell): then an existing account becomes an admin, which is how an installation left without one
 * is recovered. Its password is then neither needed nor changed.
 */
export const createAdmin = async (
  dependencies: Pick<CommandDependencies, 'store' | 'registry' | 'passwords' | 'newId' | 'clock'>,
  credentials: { readonly email: string; readonly password?: string | undefined; readonly promote?: boolean },
): Promise<E.Either<string, CreateAdminOutcome>> => {
  const email = Email.decode(credentials.email);
  if (E.isLeft(email)) return E.left(`${credentials.email} is not an e-mail address`);
  const existing = await reservedUserId(dependencies, email.right);
  const account = existing === undefined ? undefined : await loadAccount(dependencies, existing);
  const metadata = { occurredAt: dependencies.clock().toISOString(), actorId: null, correlationId: crypto.randomUUID(), causationId: null };
  if (existing !== undefined && account !== undefined && account.status !== 'unregistered') {
    if (account.role === 'admin') {
      // Also brings the admin roster up to date, should this admin be missing from it.
      if (credentials.promote === true) await joinAdmins(dependencies, existing, metadata);
      return E.right('exists');
    }
    if (credentials.promote !== true) return E.right('exists-without-admin-role');
    if (account.status === 'deactivated') return E.left('the account with this address is deactivated; it cannot be promoted');
    const promoted = await changeUserRole(dependencies, { userId: existing, role: 'admin', metadata });
    return E.isLeft(promoted) ? E.left(`the account could not be promoted (${JSON.stringify(promoted.left)})`) : E.right('promoted');
  }
  if (credentials.password === undefined) return E.left('no account has this address: give --password to create the admin');
  const password = NewPassword.decode(credentials.password);
  if (E.isLeft(password)) return E.left('the admin password must be 8 to 256 characters');
  const displayName = DisplayName.decode('Administrator');
  if (E.isLeft(displayName)) return E.left('no display name');
  const registered = await registerUser(
    dependencies,
    { email: email.right, password: password.right, displayName: displayName.right },
    {
      role: 'admin',
      metadata,
      eventIds: () => (count) => Array.from({ length: count }, () => crypto.randomUUID()),
    },
  );
  if (E.isLeft(registered)) return E.right('exists');
  await joinAdmins(dependencies, registered.right.userId, metadata);
  return E.right('created');
};

export const logCreateAdminOutcome = (log: Logger, email: string, outcome: E.Either<string, CreateAdminOutcome>): void => {
  if (E.isLeft(outcome)) log.error({ email }, `admin not created: ${outcome.left}`);
  else if (outcome.right === 'created') log.info({ email }, 'admin account created');
  else if (outcome.right === 'exists-without-admin-role')
    log.warn(
      { email },
      'an account with the admin e-mail exists without the admin role; it was left as it is (to make it an admin: npx fastflix users create-admin --email <it> --promote)',
    );
};
