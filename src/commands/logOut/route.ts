import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { sessionDecider } from '../../domain/session/decide.ts';
import { parseRefreshToken } from '../../infrastructure/auth/tokens.ts';
import { unauthorized } from '../../infrastructure/http/problem.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { handleCommand } from '../shared/handleCommand.ts';
import { decodeBody, eventMetadata, failure, respond, type CommandContext } from '../shared/http.ts';
import { sessionEventTypes } from '../shared/sessions.ts';
import { sessionStream } from '../../infrastructure/eventStore/streams.ts';
import { LogOutRequest } from './command.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { commandDone, exampleRefreshToken } from '../shared/docs.ts';

/** Ends the session the refresh token belongs to; holding the token is the proof needed. */
export const logOutRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.post(
    '/auth/logout',
    documented({
      summary: 'Sign out: end the session of a refresh token',
      description: 'Holding the refresh token is the proof needed; its access tokens end too.',
      tag: 'auth',
      body: { codec: LogOutRequest, example: { refreshToken: exampleRefreshToken } },
      answers: commandDone,
      problems: { 401: 'The refresh token is malformed or not recognised', 409: 'Other changes kept winning' },
    }),
    async (ctx: CommandContext) => {
      const presented = parseRefreshToken(decodeBody(LogOutRequest, ctx).refreshToken);
      if (presented === undefined) throw unauthorized('The refresh token is malformed');
      const result = await handleCommand(dependencies, {
        stream: sessionStream(presented.sessionId),
        decider: sessionDecider,
        eventTypes: sessionEventTypes,
        command: { type: 'EndSession', presentedTokenHash: presented.hash },
        metadata: eventMetadata(ctx, dependencies.clock()),
      });
      if (E.isLeft(result)) throw failure(result.left, () => unauthorized('The refresh token is not recognised'));
      respond(ctx, result.right);
    },
  );
};
