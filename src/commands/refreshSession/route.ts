import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { unauthorized } from '../../infrastructure/http/problem.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { decodeBody, eventMetadata, type CommandContext } from '../shared/http.ts';
import { RefreshSessionRequest } from './command.ts';
import { refreshSession, type RefreshError } from './handler.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { IssuedTokensAnswer, exampleRefreshToken, exampleTokens } from '../shared/docs.ts';

const reasons: Record<RefreshError, string> = {
  Malformed: 'The refresh token is malformed',
  SessionNotFound: 'The refresh token is not recognised',
  TokenNotRecognised: 'The refresh token is not recognised',
  SessionRevoked: 'The session has ended; sign in again',
  SessionExpired: 'The session has expired; sign in again',
  AccountInactive: 'The account has been deactivated',
  ReuseDetected: 'This refresh token was used already, so the session has been revoked; sign in again',
  // One refresh token, two simultaneous refreshes: only one may rotate it.
  Conflict: 'The refresh token was used by another request at the same time',
};

export const refreshSessionRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.post(
    '/auth/refresh',
    documented({
      summary: 'Trade a refresh token for new tokens',
      description: 'The refresh token rotates; one used a second time revokes the whole session.',
      tag: 'auth',
      body: { codec: RefreshSessionRequest, example: { refreshToken: exampleRefreshToken } },
      answers: { 200: { description: 'New tokens', body: IssuedTokensAnswer, example: exampleTokens } },
      problems: { 401: 'The refresh token is malformed, unknown, used already, or its session has ended' },
    }),
    async (ctx: CommandContext) => {
      const { refreshToken } = decodeBody(RefreshSessionRequest, ctx);
      const result = await refreshSession(dependencies, refreshToken, eventMetadata(ctx, dependencies.clock()));
      if (E.isLeft(result)) throw unauthorized(reasons[result.left]);
      ctx.set('X-Event-Position', result.right.position);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = result.right;
    },
  );
};
