import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { conflict } from '../../infrastructure/http/problem.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { decodeBody, eventIdsFor, eventMetadata, positionText, type CommandContext } from '../shared/http.ts';
import { RegisterUserRequest } from './command.ts';
import { registerUser } from './handler.ts';

export const registerUserRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.post('/auth/register', dependencies.limits.registrations, dependencies.idempotent, async (ctx: CommandContext) => {
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
    ctx.body = { userId: result.right.userId, position };
  });
};
