import type Router from '@koa/router';
import { accountDecider } from '../../domain/account/decide.ts';
import { accountEventTypes } from '../../domain/account/events.ts';
import type { Guards } from '../../infrastructure/auth/guards.ts';
import { foldStream, type EventLog } from '../../infrastructure/eventStore/foldStream.ts';
import { userStream } from '../../infrastructure/eventStore/streams.ts';
import { notFound } from '../../infrastructure/http/problem.ts';

/**
 * The signed-in user's account, folded from its own stream with the domain's `evolve`: always
 * current, even the instant after registering, and a handful of events to read.
 */
export const meRoute = (router: Router, dependencies: EventLog & { readonly guards: Guards }): void => {
  router.get('/me', dependencies.guards.requireUser, async (ctx) => {
    const userId = ctx.state.user?.sub;
    const account =
      userId === undefined ? undefined : (await foldStream(dependencies, userStream(userId), accountDecider, accountEventTypes)).state;
    if (account === undefined || account.status === 'unregistered') throw notFound('The account no longer exists');
    ctx.body = {
      userId: account.userId,
      email: account.email,
      displayName: account.displayName,
      role: account.role,
      status: account.status,
    };
  });
};
