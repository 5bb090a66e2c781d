import * as E from 'fp-ts/lib/Either.js';
import { sessionDecider, type SessionError } from '../../domain/session/decide.ts';
import type { Role } from '../../domain/shared/codecs.ts';
import { newRefreshToken, parseRefreshToken } from '../../infrastructure/auth/tokens.ts';
import type { EventMetadata } from '../../infrastructure/eventStore/eventStore.ts';
import { loadAccount } from '../shared/accounts.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { handleCommand } from '../shared/handleCommand.ts';
import { sessionEventTypes, tokensFor, type IssuedTokens } from '../shared/sessions.ts';
import { sessionStream } from '../../infrastructure/eventStore/streams.ts';
import { isoTime, secondsAfter } from '../shared/time.ts';

export type RefreshError = SessionError['type'] | 'Malformed' | 'ReuseDetected' | 'Conflict';

/** Rotates the refresh token. A token that was rotated already revokes the session it belonged to. */
export const refreshSession = async (
  dependencies: Pick<CommandDependencies, 'store' | 'registry' | 'tokens' | 'clock'>,
  refreshToken: string,
  metadata: EventMetadata,
): Promise<E.Either<RefreshError, IssuedTokens>> => {
  const presented = parseRefreshToken(refreshToken);
  if (presented === undefined) return E.left('Malformed');
  const next = newRefreshToken(presented.sessionId);
  const now = dependencies.clock();
  let role: Role = 'user';
  const result = await handleCommand(dependencies, {
    stream: sessionStream(presented.sessionId),
    decider: sessionDecider,
    eventTypes: sessionEventTypes,
    command: async (state) => {
      if (state.status === 'none') return E.left<SessionError>({ type: 'SessionNotFound' });
      const account = await loadAccount(dependencies, state.userId);
      role = account.status === 'unregistered' ? 'user' : account.role;
      return E.right({
        type: 'RefreshSession' as const,
        presentedTokenHash: presented.hash,
        newTokenHash: next.hash,
        expiresAt: secondsAfter(now, dependencies.tokens.refreshTokenTtlSeconds),
        lifetimeSeconds: dependencies.tokens.sessionLifetimeSeconds,
        now: isoTime(now),
        account: {
          active: account.status === 'active',
          role,
          sessionsEndedBefore: account.status === 'unregistered' ? null : account.sessionsEndedBefore,
        },
      });
    },
    metadata,
    maxAttempts: 1,
  });
  if (E.isLeft(result)) return E.left(result.left.kind === 'rejected' ? result.left.error.type : 'Conflict');
  const [event] = result.right.events;
  // The decider answers some refusals with a revocation, which must be recorded: a reused token, or a
  // session that a password change ended.
  if (event?.type === 'SessionRevoked') return E.left(event.data.reason === 'refresh_token_reused' ? 'ReuseDetected' : 'SessionRevoked');
  if (event?.type !== 'SessionRefreshed') return E.left('SessionRevoked');
  return E.right(
    tokensFor(dependencies, { userId: event.data.userId, role, sessionId: presented.sessionId }, next.token, result.right.position),
  );
};
