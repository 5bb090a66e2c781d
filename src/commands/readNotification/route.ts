import Router from '@koa/router';
import type { Middleware } from 'koa';
import * as E from 'fp-ts/lib/Either.js';
import type { DatabasePool } from 'slonik';
import { Uuid } from '../../domain/shared/codecs.ts';
import { invalidFields, notFound } from '../../infrastructure/http/problem.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { eventMetadata, positionText, type CommandContext } from '../shared/http.ts';
import { readNotification } from './handler.ts';
import { isOwnNotification } from './ownNotification.ts';

export interface ReadNotificationDependencies extends CommandDependencies {
  readonly db: DatabasePool;
  /** X-Min-Position for the notifications read model: a client told of a notification at N can read it once it is there. */
  readonly consistentWith: (...projections: readonly string[]) => Middleware;
}

/** `POST /me/notifications/:id/read`: 404 for an unknown notification and for another user's alike. */
export const readNotificationRoutes = (dependencies: ReadNotificationDependencies): Router => {
  const router = new Router();
  router.post(
    '/me/notifications/:id/read',
    dependencies.guards.requireUser,
    dependencies.consistentWith('notifications'),
    async (ctx: CommandContext) => {
      const id = Uuid.decode(ctx.params.id?.toLowerCase());
      if (E.isLeft(id)) throw invalidFields([{ path: 'id', message: 'must be a notification id (a UUID)' }]);
      const user = Uuid.decode(ctx.state.user?.sub);
      if (E.isLeft(user) || !(await isOwnNotification(dependencies.db, user.right, id.right))) {
        throw notFound(`you have no notification ${id.right}`);
      }
      const position = await readNotification(dependencies, user.right, id.right, eventMetadata(ctx, dependencies.clock()));
      ctx.set('X-Event-Position', positionText(position));
      ctx.body = { notificationId: id.right, position: positionText(position) };
    },
  );
  return router;
};
