import { randomBytes } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { accountDecider } from '../../domain/account/decide.ts';
import { Email } from '../../domain/shared/codecs.ts';
import { sha256 } from '../../infrastructure/auth/tokens.ts';
import type { EventMetadata } from '../../infrastructure/eventStore/eventStore.ts';
import type { ResetOutbox } from '../../infrastructure/mail/resetOutbox.ts';
import { accountEventTypes } from '../../domain/account/events.ts';
import { reservedUserId } from '../shared/accounts.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { handleCommand } from '../shared/handleCommand.ts';
import { userStream } from '../../infrastructure/eventStore/streams.ts';
import { secondsAfter } from '../shared/time.ts';

export const resetTokenTtlSeconds = 3_600;

/**
 * Records the request; the mail reactor then has a job mail the one-time token to the account's
 * address (src/reactors/mail). The token itself never enters the event log (only its hash): the log
 * is read by auditors, the mailbox only by its owner. It waits for its mail in the reset outbox,
 * sealed, left there before the event is appended, so that once the event is committed the mail
 * follows whatever crashes or restarts come between. An unknown address does nothing at all.
 */
export const requestPasswordReset = async (
  dependencies: Pick<CommandDependencies, 'store' | 'registry' | 'clock'> & { readonly resetOutbox: Pick<ResetOutbox, 'keep'> },
  address: string,
  metadata: EventMetadata,
): Promise<void> => {
  const email = Email.decode(address);
  if (E.isLeft(email)) return;
  const userId = await reservedUserId(dependencies, email.right);
  if (userId === undefined) return;
  const secret = randomBytes(32).toString('base64url');
  const tokenHash = sha256(secret);
  // The mail goes to the address the account has, not the one typed: they are one key (emailKey),
  // not one address ("Kim@…" with a Kelvin sign finds kim@…, and must not receive its token).
  // A refusal (a deactivated account) leaves its token in the outbox; no event asks for its mail, and it expires.
  await handleCommand(dependencies, {
    stream: userStream(userId),
    decider: accountDecider,
    eventTypes: accountEventTypes,
    command: async (state) => {
      const storedAddress = state.status === 'unregistered' ? undefined : state.email;
      const expiresAt = secondsAfter(dependencies.clock(), resetTokenTtlSeconds);
      if (storedAddress !== undefined) {
        // Before the append: an event committed without its token waiting would cause a mail with
        // nothing to send. Kept again (replaced) when a conflict has the command decided again.
        await dependencies.resetOutbox.keep({
          tokenHash,
          userId,
          to: storedAddress,
          token: `${userId}.${secret}`,
          expiresAt: new Date(expiresAt),
        });
      }
      return E.right({ type: 'RequestPasswordReset' as const, tokenHash, expiresAt });
    },
    metadata,
  });
};
