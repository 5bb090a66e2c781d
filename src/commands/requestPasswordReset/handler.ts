import { randomBytes } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { accountDecider } from '../../domain/account/decide.ts';
import { Email } from '../../domain/shared/codecs.ts';
import { sha256 } from '../../infrastructure/auth/tokens.ts';
import type { EventMetadata } from '../../infrastructure/eventStore/eventStore.ts';
import type { Mailer } from '../../infrastructure/mail/mailer.ts';
import { accountEventTypes } from '../../domain/account/events.ts';
import { reservedUserId } from '../shared/accounts.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { handleCommand } from '../shared/handleCommand.ts';
import { userStream } from '../../infrastructure/eventStore/streams.ts';
import { secondsAfter } from '../shared/time.ts';

export const resetTokenTtlSeconds = 3_600;

/**
 * Records the request and mails a one-time token to the account's address. The token itself never
 * enters the event log (only its hash): the log is read by auditors, the mailbox only by its owner.
 * An unknown address does nothing at all.
 */
export const requestPasswordReset = async (
  dependencies: Pick<CommandDependencies, 'store' | 'registry' | 'clock'> & { readonly mailer: Mailer },
  address: string,
  metadata: EventMetadata,
): Promise<void> => {
  const email = Email.decode(address);
  if (E.isLeft(email)) return;
  const userId = await reservedUserId(dependencies, email.right);
  if (userId === undefined) return;
  const secret = randomBytes(32).toString('base64url');
  // The mail goes to the address the account has, not the one typed: they are one key (emailKey),
  // not one address ("Kim@…" with a Kelvin sign finds kim@…, and must not receive its token).
  let storedAddress: Email | undefined;
  const result = await handleCommand(dependencies, {
    stream: userStream(userId),
    decider: accountDecider,
    eventTypes: accountEventTypes,
    command: (state) => {
      storedAddress = state.status === 'unregistered' ? undefined : state.email;
      return Promise.resolve(
        E.right({
          type: 'RequestPasswordReset' as const,
          tokenHash: sha256(secret),
          expiresAt: secondsAfter(dependencies.clock(), resetTokenTtlSeconds),
        }),
      );
    },
    metadata,
  });
  if (E.isLeft(result) || storedAddress === undefined) return;
  await dependencies.mailer.send({
    to: storedAddress,
    subject: 'Reset your FastFlix password',
    text: [
      'Someone (we hope you) asked to reset the password of your FastFlix account.',
      '',
      `Your reset token, valid for one hour: ${userId}.${secret}`,
      '',
      'POST it as {"token": "…", "newPassword": "…"} to /auth/password-reset/confirm.',
      'If you did not ask for this, ignore this message: your password stays as it is.',
    ].join('\n'),
  });
};
