import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { sessionDecider } from '../../domain/session/decide.ts';
import { sessionEvents } from '../../domain/session/events.ts';
import type { Role, Uuid } from '../../domain/shared/codecs.ts';
import { isoTime, secondsAfter } from './time.ts';
import { newRefreshToken } from '../../infrastructure/auth/tokens.ts';
import type { EventMetadata, Position } from '../../infrastructure/eventStore/eventStore.ts';
import type { CommandDependencies } from './dependencies.ts';
import { handleCommand } from './handleCommand.ts';
import { sessionStream } from '../../infrastructure/eventStore/streams.ts';

export const sessionEventTypes: ReadonlySet<string> = new Set(sessionEvents.map((definition) => definition.type));

/** What a login and a refresh answer (the JSON login; the OAuth2 form answers RFC 6749's names, logIn/oauth2.ts). */
export const IssuedTokens = t.type(
  { accessToken: t.string, refreshToken: t.string, tokenType: t.literal('Bearer'), expiresIn: t.number, position: t.string },
  'IssuedTokens',
);
export type IssuedTokens = t.TypeOf<typeof IssuedTokens>;

/** Starts a session for a signed-in user: its stream records the login; the answer carries both tokens. */
export const startSession = async (
  dependencies: Pick<CommandDependencies, 'store' | 'registry' | 'tokens' | 'newId' | 'clock'>,
  user: { readonly userId: Uuid; readonly role: Role },
  metadata: EventMetadata,
): Promise<IssuedTokens> => {
  const sessionId = dependencies.newId();
  const refresh = newRefreshToken(sessionId);
  const now = dependencies.clock();
  const started = await handleCommand(dependencies, {
    stream: sessionStream(sessionId),
    decider: sessionDecider,
    eventTypes: sessionEventTypes,
    command: {
      type: 'StartSession',
      sessionId,
      userId: user.userId,
      refreshTokenHash: refresh.hash,
      expiresAt: secondsAfter(now, Math.min(dependencies.tokens.refreshTokenTtlSeconds, dependencies.tokens.sessionLifetimeSeconds)),
      startedAt: isoTime(now),
    },
    metadata: { ...metadata, actorId: user.userId },
  });
  if (E.isLeft(started)) throw new Error(`a new session could not start: ${JSON.stringify(started.left)}`);
  return tokensFor(dependencies, { ...user, sessionId }, refresh.token, started.right.position);
};

export const tokensFor = (
  dependencies: Pick<CommandDependencies, 'tokens'>,
  session: { readonly userId: Uuid; readonly role: Role; readonly sessionId: Uuid },
  refreshToken: string,
  position: Position | null,
): IssuedTokens => {
  const access = dependencies.tokens.issueAccessToken({ sub: session.userId, role: session.role, sid: session.sessionId });
  return {
    accessToken: access.token,
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: access.expiresIn,
    position: (position ?? 0n).toString(),
  };
};
