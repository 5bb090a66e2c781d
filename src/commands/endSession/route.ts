import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { sessionDecider } from '../../domain/session/decide.ts';
import { Uuid } from '../../domain/shared/codecs.ts';
import { notFound } from '../../infrastructure/http/problem.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { handleCommand } from '../shared/handleCommand.ts';
import { decodeParam, eventMetadata, failure, respond, type CommandContext } from '../shared/http.ts';
import { sessionEventTypes } from '../shared/sessions.ts';
import { sessionStream } from '../../infrastructure/eventStore/streams.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { commandDone } from '../shared/docs.ts';
import { signedInUser } from '../../infrastructure/auth/guards.ts';

const sessionNotFound = () => notFound('You have no session with this id');

/**
 * `DELETE /me/sessions/:id`: ends one of the caller's sessions (a lost phone), its refresh token and
 * its access tokens alike. Another account's session is answered as unknown, as an unknown id is.
 */
export const endSessionRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.delete(
    '/me/sessions/:id',
    documented({
      summary: 'End one of my sessions',
      description: 'Its refresh token and its access tokens alike (a lost phone).',
      tag: 'auth',
      auth: 'user',
      params: { id: Uuid },
      answers: commandDone,
      problems: { 404: 'You have no session with this id', 409: 'Other changes kept winning' },
    }),
    dependencies.guards.requireUser,
    dependencies.idempotent,
    async (ctx: CommandContext) => {
      const sessionId = decodeParam(Uuid, ctx.params.id, sessionNotFound);
      const userId = signedInUser(ctx.state).sub;
      const result = await handleCommand(dependencies, {
        stream: sessionStream(sessionId),
        decider: sessionDecider,
        eventTypes: sessionEventTypes,
        command: { type: 'RevokeSession', byUserId: userId },
        metadata: eventMetadata(ctx, dependencies.clock()),
      });
      if (E.isLeft(result)) throw failure(result.left, sessionNotFound);
      respond(ctx, result.right);
    },
  );
};
