import type Router from '@koa/router';
import type { Guards } from '../../infrastructure/auth/guards.ts';
import { notFound } from '../../infrastructure/http/problem.ts';
import { loadAccount } from '../../commands/shared/accounts.ts';
import type { CommandEnvironment } from '../../commands/shared/handleCommand.ts';
import type { CommandContext } from '../../commands/shared/http.ts';

/**
 * The signed-in user's account, folded from its own stream: always current, even the instant after
 * registering, and a handful of events to read.
 */
export const meRoute = (router: Router, dependencies: CommandEnvironment & { readonly guards: Guards }): void => {
  router.get('/me', dependencies.guards.requireUser, async (ctx: CommandContext) => {
    const userId = ctx.state.user?.sub;
    const account = userId === undefined ? undefined : await loadAccount(dependencies, userId);
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
