import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { accountDecider } from '../../domain/account/decide.ts';
import { Uuid } from '../../domain/shared/codecs.ts';
import { conflict, notFound } from '../../infrastructure/http/problem.ts';
import { accountEventTypes } from '../../domain/account/events.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { handleCommand } from '../shared/handleCommand.ts';
import { decodeBody, decodeParam, eventIdsFor, eventMetadata, failure, ifMatch, respond, type CommandContext } from '../shared/http.ts';
import { userStream } from '../../infrastructure/eventStore/streams.ts';
import { ChangeUserRoleRequest } from './command.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { commandDone, commandHeaders } from '../shared/docs.ts';

const userNotFound = () => notFound('There is no user with this id');

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
      problems: { 404: 'There is no user with this id', 409: 'The account is deactivated, or other changes kept winning' },
    }),
    dependencies.guards.requireRole('admin'),
    dependencies.idempotent,
    async (ctx: CommandContext) => {
      const userId = decodeParam(Uuid, ctx.params.id, userNotFound);
      const { role } = decodeBody(ChangeUserRoleRequest, ctx);
      const stream = userStream(userId);
      const result = await handleCommand(dependencies, {
        stream,
        decider: accountDecider,
        eventTypes: accountEventTypes,
        command: { type: 'ChangeRole', role },
        metadata: eventMetadata(ctx, dependencies.clock()),
        ifMatch: ifMatch(ctx),
        eventIds: eventIdsFor(ctx, stream),
      });
      if (E.isLeft(result))
        throw failure(result.left, (error) => (error.type === 'UserDeactivated' ? conflict('The account is deactivated') : userNotFound()));
      respond(ctx, result.right);
    },
  );
};
