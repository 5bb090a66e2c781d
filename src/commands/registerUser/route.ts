import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { conflict } from '../../infrastructure/http/problem.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { decodeBody, eventIdsFor, eventMetadata, positionText, type CommandContext } from '../shared/http.ts';
import { RegisterUserRequest } from './command.ts';
import { registerUser } from './handler.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { PositionText, examplePosition, exampleUserId } from '../shared/docs.ts';
import * as t from 'io-ts';

const RegisterAnswer = t.type({ userId: t.string, position: PositionText }, 'RegisterAnswer');

export const registerUserRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.post(
    '/auth/register',
    documented({
      summary: 'Create an account',
      tag: 'auth',
      headers: ['Idempotency-Key'],
      body: { codec: RegisterUserRequest, example: { email: 'ada@example.com', password: 'correct horse battery', displayName: 'Ada' } },
      answers: { 201: { description: 'Created', body: RegisterAnswer, example: { userId: exampleUserId, position: examplePosition } } },
      problems: { 409: 'An account with this e-mail address exists already', 429: 'Too many registrations from this address' },
    }),
    dependencies.limits.registrations,
    dependencies.idempotent,
    async (ctx: CommandContext) => {
      const request = decodeBody(RegisterUserRequest, ctx);
      const result = await registerUser(dependencies, request, {
        role: 'user',
        metadata: eventMetadata(ctx, dependencies.clock()),
        eventIds: (stream) => eventIdsFor(ctx, stream),
      });
      if (E.isLeft(result)) throw conflict('An account with this e-mail address exists already');
      const position = positionText(result.right.position);
      ctx.status = 201;
      ctx.set('X-Event-Position', position);
      ctx.set('Location', '/me');
      ctx.body = { userId: result.right.userId, position } satisfies t.TypeOf<typeof RegisterAnswer>;
    },
  );
};
