import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { Uuid } from '../../domain/shared/codecs.ts';
import { conflict, notFound, type HttpProblem } from '../../infrastructure/http/problem.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { decodeBody, decodeParam, eventIdsFor, eventMetadata, failure, ifMatch, respond, type CommandContext } from '../shared/http.ts';
import { ChangeUserRoleRequest } from './command.ts';
import { changeUserRole, type ChangeRoleError } from './handler.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { commandDone, commandHeaders } from '../shared/docs.ts';

const userNotFound = () => notFound('There is no user with this id');

const refusal = (error: ChangeRoleError): HttpProblem => {
  switch (error.type) {
    case 'UserDeactivated':
      return conflict('The account is deactivated');
    case 'LastAdmin':
      return conflict('This is the last admin: promote another account first, so that someone can still administer the service');
    default:
      return userNotFound();
  }
};

export const changeUserRoleRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.put(
    '/admin/users/:id/role',
    documented({
      summary: "Change a user's role",
      tag: 'admin',
      auth: 'admin',
      params: { id: Uuid },
      headers: commandHeaders,
      body: { codec: ChangeUserRoleRequest, example: { role: 'admin' } },
      answers: commandDone,
      problems: {
        404: 'There is no user with this id',
        409: 'The account is deactivated, it is the last admin (demoting it would leave nobody to administer the service), or other changes kept winning',
      },
    }),
    dependencies.guards.requireRole('admin'),
    dependencies.idempotent,
    async (ctx: CommandContext) => {
      const userId = decodeParam(Uuid, ctx.params.id, userNotFound);
      const { role } = decodeBody(ChangeUserRoleRequest, ctx);
      const result = await changeUserRole(dependencies, {
        userId,
        role,
        metadata: eventMetadata(ctx, dependencies.clock()),
        ifMatch: ifMatch(ctx),
        eventIds: (stream) => eventIdsFor(ctx, stream),
      });
      if (E.isLeft(result)) throw failure(result.left, refusal);
      respond(ctx, result.right);
    },
  );
};
