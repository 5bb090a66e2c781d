import type Router from '@koa/router';
import * as t from 'io-ts';
import { Uuid } from '../../domain/shared/codecs.ts';
import { CursorTime, invalidCursor, readCursor } from '../shared/cursors.ts';
import type { QueryDependencies } from '../shared/dependencies.ts';
import { decodeQuery } from '../shared/http.ts';
import { encodeCursor, page } from '../shared/movies.ts';
import { defaultLimit, PageQuery } from '../shared/paging.ts';
import { liveSessionsPage } from './query.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { consistentRead, pageOf } from '../shared/docs.ts';

const SessionCursor = t.tuple([CursorTime, Uuid]);

/** `GET /me/sessions`: where the account is signed in; `current` marks the session of the token asking. */
/** The answer, as documented and as written. */
const SessionPage = pageOf(
  t.type({ id: t.string, current: t.boolean, startedAt: t.string, lastUsedAt: t.string, expiresAt: t.string }),
  'SessionPage',
);

export const mySessionsRoute = (router: Router, dependencies: QueryDependencies & { readonly clock: () => Date }): void => {
  router.get(
    '/me/sessions',
    documented({
      summary: 'Where I am signed in',
      description: '`current` marks the session of the token asking.',
      tag: 'auth',
      auth: 'user',
      query: PageQuery,
      headers: consistentRead,
      answers: {
        200: {
          description: 'A page of my live sessions',
          body: SessionPage,
          example: {
            items: [
              {
                id: '5f0c2b7e-1d3a-4e6b-9c8d-7a6b5c4d3e2f',
                current: true,
                startedAt: '2024-02-29T20:15:00.000Z',
                lastUsedAt: '2024-02-29T20:30:00.000Z',
                expiresAt: '2024-03-30T20:15:00.000Z',
              },
            ],
            nextCursor: null,
          },
        },
      },
    }),
    dependencies.guards.requireUser,
    dependencies.consistentWith('sessions'),
    async (ctx) => {
      const { limit = defaultLimit, cursor } = decodeQuery(PageQuery, ctx);
      const key = cursor === undefined ? undefined : readCursor(SessionCursor, cursor);
      if (cursor !== undefined && key === undefined) throw invalidCursor();
      const after = key === undefined ? undefined : { startedAt: key[0], sessionId: key[1] };
      const user = ctx.state.user;
      const rows = await liveSessionsPage(dependencies.db, user?.sub ?? '', dependencies.clock(), after, limit + 1);
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      ctx.set('Cache-Control', 'no-store');
      ctx.body = page(
        items.map((row) => ({
          id: row.session_id,
          current: row.session_id === user?.sid,
          startedAt: new Date(row.started_at).toISOString(),
          lastUsedAt: new Date(row.last_used_at).toISOString(),
          expiresAt: new Date(row.expires_at).toISOString(),
        })),
        rows.length > limit && last !== undefined ? encodeCursor([last.started_at, last.session_id]) : null,
      ) satisfies t.TypeOf<typeof SessionPage>;
    },
  );
};
