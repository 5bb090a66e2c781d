import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { accountDecider } from '../../domain/account/decide.ts';
import { forbidden, notFound } from '../../infrastructure/http/problem.ts';
import { accountEventTypes } from '../../domain/account/events.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import type { CountSessionsEnded } from '../shared/sessionsEnded.ts';
import type { SessionsEnded } from '../../domain/account/state.ts';
import { handleCommand } from '../shared/handleCommand.ts';
import { decodeBody, eventIdsFor, eventMetadata, failure, ifMatch, respond, type CommandContext } from '../shared/http.ts';
import { userStream } from '../../infrastructure/eventStore/streams.ts';
import { isoTime } from '../shared/time.ts';
import { ChangePasswordRequest } from './command.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { commandHeaders, sessionsEndedDone } from '../shared/docs.ts';
import { signedInUser } from '../../infrastructure/auth/guards.ts';

export const changePasswordRoute = (
  router: Router,
  dependencies: CommandDependencies & { readonly countSessionsEnded: CountSessionsEnded },
): void => {
  router.put(
    '/me/password',
    documented({
      summary: 'Change my password',
      description: 'Every other session of the account ends; this one goes on. The answer says how many ended.',
      tag: 'auth',
      auth: 'user',
      headers: commandHeaders,
      body: { codec: ChangePasswordRequest, example: { currentPassword: 'correct horse battery', newPassword: 'another long password' } },
      answers: sessionsEndedDone,
      problems: { 403: 'The current password is not correct', 404: 'The account no longer exists' },
    }),
    dependencies.guards.requireUser,
    dependencies.idempotent,
    async (ctx: CommandContext) => {
      const request = decodeBody(ChangePasswordRequest, ctx);
      const { sub: userId, sid: sessionId } = signedInUser(ctx.state);
      const now = dependencies.clock();
      const newPasswordHash = await dependencies.passwords.hash(request.newPassword);
      const stream = userStream(userId);
      let previous: SessionsEnded | null = null;
      const result = await handleCommand(dependencies, {
        stream,
        decider: accountDecider,
        eventTypes: accountEventTypes,
        command: async (state) => {
          if (state.status === 'unregistered' || !(await dependencies.passwords.verify(state.passwordHash, request.currentPassword)))
            return E.left({ type: 'WrongPassword' as const });
          previous = state.sessionsEndedBefore;
          return E.right({ type: 'ChangePassword' as const, newPasswordHash, now: isoTime(now), keptSessionId: sessionId });
        },
        metadata: eventMetadata(ctx, now),
        ifMatch: ifMatch(ctx),
        eventIds: eventIdsFor(ctx, stream),
      });
      if (E.isLeft(result)) {
        throw failure(result.left, (error) =>
          error.type === 'WrongPassword' ? forbidden('The current password is not correct') : notFound('The account no longer exists'),
        );
      }
      // A retry of a change already made (same Idempotency-Key) appends nothing and has nothing to count.
      const sessionsEnded =
        result.right.events.length === 0
          ? null
          : await dependencies.countSessionsEnded({
              userId,
              at: now.toISOString(),
              kept: sessionId,
              previous,
              position: result.right.position,
            });
      respond(ctx, result.right, { sessionsEnded });
    },
  );
};
