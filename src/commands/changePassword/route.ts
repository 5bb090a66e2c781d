import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { accountDecider } from '../../domain/account/decide.ts';
import { forbidden, notFound } from '../../infrastructure/http/problem.ts';
import { accountEventTypes } from '../shared/accounts.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { handleCommand } from '../shared/handleCommand.ts';
import { decodeBody, eventIdsFor, eventMetadata, failure, ifMatch, respond, type CommandContext } from '../shared/http.ts';
import { userStream } from '../shared/streams.ts';
import { isoTime } from '../shared/time.ts';
import { ChangePasswordRequest } from './command.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { commandDone, commandHeaders } from '../shared/docs.ts';

export const changePasswordRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.put(
    '/me/password',
    documented({
      summary: 'Change my password',
      description: 'Every other session of the account ends; this one goes on.',
      tag: 'auth',
      auth: 'user',
      headers: commandHeaders,
      body: { codec: ChangePasswordRequest, example: { currentPassword: 'correct horse battery', newPassword: 'another long password' } },
      answers: commandDone,
      problems: { 403: 'The current password is not correct', 404: 'The account no longer exists' },
    }),
    dependencies.guards.requireUser,
    dependencies.idempotent,
    async (ctx: CommandContext) => {
      const request = decodeBody(ChangePasswordRequest, ctx);
      const userId = ctx.state.user?.sub;
      const sessionId = ctx.state.user?.sid;
      if (userId === undefined || sessionId === undefined) throw forbidden('Sign in first');
      const now = dependencies.clock();
      const newPasswordHash = await dependencies.passwords.hash(request.newPassword);
      const stream = userStream(userId);
      const result = await handleCommand(dependencies, {
        stream,
        decider: accountDecider,
        eventTypes: accountEventTypes,
        command: async (state) =>
          state.status !== 'unregistered' && (await dependencies.passwords.verify(state.passwordHash, request.currentPassword))
            ? E.right({ type: 'ChangePassword' as const, newPasswordHash, now: isoTime(now), keptSessionId: sessionId })
            : E.left({ type: 'WrongPassword' as const }),
        metadata: eventMetadata(ctx, now),
        ifMatch: ifMatch(ctx),
        eventIds: eventIdsFor(ctx, stream),
      });
      if (E.isLeft(result)) {
        throw failure(result.left, (error) =>
          error.type === 'WrongPassword' ? forbidden('The current password is not correct') : notFound('The account no longer exists'),
        );
      }
      respond(ctx, result.right);
    },
  );
};
