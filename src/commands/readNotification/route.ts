import Router from '@koa/router';
import type { Middleware } from 'koa';
import * as E from 'fp-ts/lib/Either.js';
import type { DatabasePool } from 'slonik';
import { Uuid } from '../../domain/shared/codecs.ts';
import { invalidFields, notFound } from '../../infrastructure/http/problem.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { eventMetadata, positionText, type CommandContext } from '../shared/http.ts';
import { readNotification } from './handler.ts';
import * as t from 'io-ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { examplePosition, PositionText } from '../shared/docs.ts';
import { isOwnNotification } from './ownNotification.ts';
import { signedInUser } from '../../infrastructure/auth/guards.ts';

export interface ReadNotificationDependencies extends CommandDependencies {
  readonly db: DatabasePool;
  /** X-Min-Position for the notifications read model: a client told of a notification at N can read it once it is there. */
  readonly consistentWith: (...projections: readonly string[]) => Middleware;
}

const NotificationReadAnswer = t.type({ notificationId: t.string, position: PositionText }, 'NotificationReadAnswer');

/** `POST /me/notifications/:id/read`: 404 for an unknown notification and for another user's alike. */
export const readNotificationRoutes = (dependencies: ReadNotificationDependencies): Router => {
  const router = new Router();
  router.post(
    '/me/notifications/:id/read',
    documented({
      summary: 'Mark a notification of mine read',
      description: 'Reading one read already changes nothing and answers the same position.',
      tag: 'me',
      auth: 'user',
      params: { id: Uuid },
      headers: ['X-Min-Position'],
      answers: {
        200: {
          description: 'Read',
          body: NotificationReadAnswer,
          example: { notificationId: '3c5e1f0a-7b2d-4c8e-9f1a-2b3c4d5e6f70', position: examplePosition },
        },
      },
      problems: { 400: 'The id is not a notification id (a UUID)', 404: 'You have no such notification' },
    }),
    dependencies.guards.requireUser,
    dependencies.consistentWith('notifications'),
    async (ctx: CommandContext) => {
      const id = Uuid.decode(ctx.params.id?.toLowerCase());
      if (E.isLeft(id)) throw invalidFields([{ path: 'id', message: 'must be a notification id (a UUID)' }]);
      const userId = signedInUser(ctx.state).sub;
      if (!(await isOwnNotification(dependencies.db, userId, id.right))) throw notFound(`you have no notification ${id.right}`);
      const position = await readNotification(dependencies, userId, id.right, eventMetadata(ctx, dependencies.clock()));
      ctx.set('X-Event-Position', positionText(position));
      ctx.body = { notificationId: id.right, position: positionText(position) } satisfies t.TypeOf<typeof NotificationReadAnswer>;
    },
  );
  return router;
};
