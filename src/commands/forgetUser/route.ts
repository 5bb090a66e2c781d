import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { Uuid } from '../../domain/shared/codecs.ts';
import type { ErasePersonalData } from '../../infrastructure/personalData/erasure.ts';
import { conflict, forbidden, notFound, type HttpProblem } from '../../infrastructure/http/problem.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { decodeBody, decodeParam, eventIdsFor, eventMetadata, failure, respond, type CommandContext } from '../shared/http.ts';
import { ForgetMeRequest } from './command.ts';
import { forgetUser, type ForgetUserError } from './handler.ts';
import { forgetUserAnswer, forgetUserDone } from './answer.ts';
import { signedInUser } from '../../infrastructure/auth/guards.ts';

const userNotFound = (): HttpProblem => notFound('There is no user with this id');

const refusal = (error: ForgetUserError): HttpProblem => {
  switch (error.type) {
    case 'WrongPassword':
      return forbidden('The password is not correct');
    case 'LastAdmin':
      return conflict('This is the last admin: promote another account first, so that someone can still administer the service');
    default:
      return userNotFound();
  }
};

const erasureDescription =
  'Appends UserForgotten and destroys the key that sealed the personal data (e-mail, display name) of its events: ' +
  'the events stay and every hash chain still verifies, but those fields read as redacted everywhere. Every session ends; ' +
  'the address can be registered again by a new account. Forgetting an account twice is a no-op that says so.';

type ForgetDependencies = CommandDependencies & { readonly erasePersonalData: ErasePersonalData };

/** `DELETE /me`, confirmed with the password, and `DELETE /admin/users/:id`. */
export const forgetUserRoutes = (router: Router, dependencies: ForgetDependencies): void => {
  router.delete(
    '/me',
    documented({
      summary: 'Forget my account (erasure)',
      description: erasureDescription,
      tag: 'auth',
      auth: 'user',
      body: { codec: ForgetMeRequest, example: { password: 'correct horse battery' } },
      answers: forgetUserDone,
      problems: { 403: 'The password is not correct', 404: 'The account no longer exists', 409: 'This is the last admin' },
    }),
    dependencies.guards.requireUser,
    async (ctx: CommandContext) => {
      const { password } = decodeBody(ForgetMeRequest, ctx);
      const userId = signedInUser(ctx.state).sub;
      const result = await forgetUser(dependencies, {
        userId,
        metadata: eventMetadata(ctx, dependencies.clock()),
        checkPassword: (account) => dependencies.passwords.verify(account.passwordHash, password),
        eventIds: (stream) => eventIdsFor(ctx, stream),
      });
      if (E.isLeft(result)) throw failure(result.left, refusal);
      respond(ctx, result.right, forgetUserAnswer(result.right));
    },
  );
  router.delete(
    '/admin/users/:id',
    documented({
      summary: 'Forget an account (erasure)',
      description: erasureDescription,
      tag: 'admin',
      auth: 'admin',
      params: { id: Uuid },
      answers: forgetUserDone,
      problems: {
        404: 'There is no user with this id',
        409: 'This is the last admin (forgetting it would leave nobody to administer the service)',
      },
    }),
    dependencies.guards.requireRole('admin'),
    async (ctx: CommandContext) => {
      const userId = decodeParam(Uuid, ctx.params.id, userNotFound);
      const result = await forgetUser(dependencies, {
        userId,
        metadata: eventMetadata(ctx, dependencies.clock()),
        eventIds: (stream) => eventIdsFor(ctx, stream),
      });
      if (E.isLeft(result)) throw failure(result.left, refusal);
      respond(ctx, result.right, forgetUserAnswer(result.right));
    },
  );
};
