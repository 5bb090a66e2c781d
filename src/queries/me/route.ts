import type Router from '@koa/router';
import { accountDecider } from '../../domain/account/decide.ts';
import { accountEventTypes } from '../../domain/account/events.ts';
import type { Guards } from '../../infrastructure/auth/guards.ts';
import { foldStream, type EventLog } from '../../infrastructure/eventStore/foldStream.ts';
import { userStream } from '../../infrastructure/eventStore/streams.ts';
import { notFound } from '../../infrastructure/http/problem.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import * as t from 'io-ts';
import { Role, Uuid } from '../../domain/shared/codecs.ts';
import { signedInUser } from '../../infrastructure/auth/guards.ts';

/**
 * The signed-in user's account, folded from its own stream with the domain's `evolve`: always
 * current, even the instant after registering, and a handful of events to read.
 */
/** The answer, as documented and as written. */
const MeAnswer = t.type(
  { userId: Uuid, email: t.string, displayName: t.string, role: Role, status: t.keyof({ active: null, deactivated: null }) },
  'Me',
);

export const meRoute = (router: Router, dependencies: EventLog & { readonly guards: Guards }): void => {
  router.get(
    '/me',
    documented({
      summary: 'My account',
      tag: 'auth',
      auth: 'user',
      answers: {
        200: {
          description: 'The signed-in account, always current',
          body: MeAnswer,
          example: {
            userId: '7d3e2f10-58a4-4c3b-b1e9-6a0c2d4f8e21',
            email: 'ada@example.com',
            displayName: 'Ada',
            role: 'user',
            status: 'active',
          },
        },
      },
      problems: { 404: 'The account no longer exists' },
    }),
    dependencies.guards.requireUser,
    async (ctx) => {
      const userId = signedInUser(ctx.state).sub;
      const account = (await foldStream(dependencies, userStream(userId), accountDecider, accountEventTypes)).state;
      if (account.status === 'unregistered' || account.status === 'forgotten') throw notFound('The account no longer exists');
      ctx.body = {
        userId: account.userId,
        email: account.email,
        displayName: account.displayName,
        role: account.role,
        status: account.status,
      } satisfies t.TypeOf<typeof MeAnswer>;
    },
  );
};
