import * as t from 'io-ts';
import { Uuid } from '../../domain/shared/codecs.ts';
import type { Answer, RequestHeader } from '../../infrastructure/http/openapi/routeDoc.ts';

// What the OpenAPI descriptions of command routes share: the answer every command gives (http.ts's
// `respond`), the headers it reads, and examples.

/** A global event position as commands answer it: a decimal string (it outgrows a JSON number). */
export const PositionText = t.string;

/** `{ position }`: the global position of the command's last event (also X-Event-Position; the stream revision is the ETag). */
export const CommandAnswer = t.type({ position: PositionText }, 'CommandAnswer');

export const examplePosition = '1042';
export const exampleMovieId = '0b6f8a52-3c1e-4a8e-9a53-2f1c9d5e7b10';
export const exampleUserId = '7d3e2f10-58a4-4c3b-b1e9-6a0c2d4f8e21';

export const commandDone: Readonly<Record<number, Answer>> = {
  200: {
    description: 'Done, or nothing to do: the position of the last event (X-Event-Position), the stream revision as ETag',
    body: CommandAnswer,
    example: { position: examplePosition },
  },
};

/** A password change or reset: how many other sessions it ended (null for a retry that changed nothing, or when not counted in time). */
export const SessionsEndedAnswer = t.type({ position: PositionText, sessionsEnded: t.union([t.number, t.null]) }, 'SessionsEndedAnswer');

export const sessionsEndedDone: Readonly<Record<number, Answer>> = {
  200: {
    description: 'Done: the position of the last event, and how many other sessions of the account ended',
    body: SessionsEndedAnswer,
    example: { position: examplePosition, sessionsEnded: 2 },
  },
};

export const commandHeaders: readonly RequestHeader[] = ['If-Match', 'Idempotency-Key'];

export const movieParams = { id: Uuid };

export const exampleRefreshToken = `${exampleUserId}.q9Xv0m3ZkP2sYbW7eR4tLcN8hJ5uA1fG`;

export { IssuedTokens as IssuedTokensAnswer } from './sessions.ts';

export const exampleTokens = {
  accessToken: 'eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiI3ZDNlMmYxMCJ9.c2lnbmF0dXJl',
  refreshToken: exampleRefreshToken,
  tokenType: 'Bearer',
  expiresIn: 900,
  position: examplePosition,
};
