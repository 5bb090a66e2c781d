import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { accountDecider } from '../../domain/account/decide.ts';
import { Uuid } from '../../domain/shared/codecs.ts';
import { sha256 } from '../../infrastructure/auth/tokens.ts';
import { badRequest } from '../../infrastructure/http/problem.ts';
import { accountEventTypes } from '../../domain/account/events.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import type { CountSessionsEnded } from '../shared/sessionsEnded.ts';
import type { SessionsEnded } from '../../domain/account/state.ts';
import { handleCommand } from '../shared/handleCommand.ts';
import { decodeBody, eventMetadata, failure, respond, type CommandContext } from '../shared/http.ts';
import { userStream } from '../../infrastructure/eventStore/streams.ts';
import { isoTime } from '../shared/time.ts';
import { ResetPasswordRequest } from './command.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { exampleUserId, sessionsEndedDone } from '../shared/docs.ts';

const invalidToken = () => badRequest('The reset token is invalid or has expired; request a new one');

export const resetPasswordRoute = (
  router: Router,
  dependencies: CommandDependencies & { readonly countSessionsEnded: CountSessionsEnded },
): void => {
  router.post(
    '/auth/password-reset/confirm',
    documented({
      summary: 'Set a new password with a mailed reset token',
      description: 'Every session of the account ends; the answer says how many.',
      tag: 'auth',
      body: {
        codec: ResetPasswordRequest,
        example: { token: `${exampleUserId}.Zm9yIGV4YW1wbGUgb25seQ`, newPassword: 'another long password' },
      },
      answers: sessionsEndedDone,
      problems: {
        400: 'A field is invalid, or the reset token is invalid or has expired',
        409: 'Other changes kept winning',
        429: 'Too many reset confirmations from this address',
      },
    }),
    dependencies.limits.resetConfirmations,
    dependencies.limits.hashes,
    async (ctx: CommandContext) => {
      const request = decodeBody(ResetPasswordRequest, ctx);
      const [userPart, secret, ...rest] = request.token.split('.');
      const userId = Uuid.decode(userPart);
      if (E.isLeft(userId) || secret === undefined || rest.length > 0) throw invalidToken();
      const tokenHash = sha256(secret);
      const now = isoTime(dependencies.clock());
      let previous: SessionsEnded | null = null;
      const result = await handleCommand(dependencies, {
        stream: userStream(userId.right),
        decider: accountDecider,
        eventTypes: accountEventTypes,
        // The token is checked before the new password is hashed: a hash costs tens of milliseconds of
        // CPU, which a guessed token must never buy (the decider checks it again on the same state).
        command: async (state) => {
          const pending = state.status === 'active' ? state.pendingReset : null;
          if (pending === null || pending.tokenHash !== tokenHash || Date.parse(pending.expiresAt) <= Date.parse(now))
            return E.left({ type: 'ResetTokenInvalid' as const });
          previous = state.status === 'unregistered' ? null : state.sessionsEndedBefore;
          return E.right({
            type: 'ResetPassword' as const,
            tokenHash,
            newPasswordHash: await dependencies.passwords.hash(request.newPassword),
            now,
          });
        },
        metadata: { ...eventMetadata(ctx, dependencies.clock()), actorId: userId.right },
      });
      if (E.isLeft(result)) throw failure(result.left, invalidToken);
      const sessionsEnded =
        result.right.events.length === 0
          ? null
          : await dependencies.countSessionsEnded({ userId: userId.right, at: now, kept: null, previous, position: result.right.position });
      respond(ctx, result.right, { sessionsEnded });
    },
  );
};
