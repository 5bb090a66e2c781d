import type Router from '@koa/router';
import * as t from 'io-ts';
import { Uuid } from '../../domain/shared/codecs.ts';
import { CursorTime, invalidCursor, readCursor } from '../shared/cursors.ts';
import type { QueryDependencies } from '../shared/dependencies.ts';
import { decodeQuery } from '../shared/http.ts';
import { encodeCursor, page } from '../shared/movies.ts';
import { defaultLimit, PageQuery } from '../shared/paging.ts';
import { inboxPage, type InboxKey } from './query.ts';
import { toNotificationView } from '../../projections/notifications/view.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { consistentRead, exampleMovie, pageOf } from '../shared/docs.ts';
import { signedInUser } from '../../infrastructure/auth/guards.ts';

/** Unread (1) or read (0), the time in milliseconds, the id: the inbox's sort key. */
const InboxCursor = t.tuple([t.union([t.literal(0), t.literal(1)]), CursorTime, Uuid]);

/** An inbox item: what every notification has, and what its type adds (movie, genres, changed fields, display name). */
export const NotificationItem = t.intersection(
  [
    t.type({ id: t.string, type: t.string, createdAt: t.string, readAt: t.union([t.string, t.null]), position: t.string }),
    t.partial({
      movie: t.type({ id: t.string, slug: t.string, title: t.string }),
      genres: t.array(t.string),
      changed: t.array(t.string),
      displayName: t.string,
    }),
  ],
  'Notification',
);
const NotificationPage = pageOf(NotificationItem, 'NotificationPage');

/** `GET /me/notifications`: the user's inbox, unread first, then newest. */
export const myNotificationsRoute = (router: Router, dependencies: QueryDependencies): void => {
  router.get(
    '/me/notifications',
    documented({
      summary: 'My notifications',
      description:
        'Unread first, then newest. Types: `welcome`, `movie.inFavouriteGenre` (a new movie in one of my three most-rated genres), ' +
        '`watchlist.movieChanged` and `watchlist.movieArchived`; each is also pushed as `notification.created` on the live feed.',
      tag: 'me',
      auth: 'user',
      query: PageQuery,
      headers: consistentRead,
      answers: {
        200: {
          description: 'A page of my notifications',
          body: NotificationPage,
          example: {
            items: [
              {
                id: '3c5e1f0a-7b2d-4c8e-9f1a-2b3c4d5e6f70',
                type: 'movie.inFavouriteGenre',
                createdAt: '2026-12-04T21:00:00.000Z',
                readAt: null,
                position: '1042',
                movie: { id: exampleMovie.id, slug: exampleMovie.slug, title: exampleMovie.title },
                genres: ['crime'],
              },
            ],
            nextCursor: null,
          },
        },
      },
    }),
    dependencies.guards.requireUser,
    dependencies.consistentWith('notifications'),
    async (ctx) => {
      const { limit = defaultLimit, cursor } = decodeQuery(PageQuery, ctx);
      const key = cursor === undefined ? undefined : readCursor(InboxCursor, cursor);
      if (cursor !== undefined && key === undefined) throw invalidCursor();
      const after: InboxKey | undefined =
        key === undefined ? undefined : { unread: key[0] === 1, createdAt: key[1], notificationId: key[2] };
      const rows = await inboxPage(dependencies.db, signedInUser(ctx.state).sub, after, limit + 1);
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      ctx.set('Cache-Control', 'no-store');
      ctx.body = page(
        items.map(toNotificationView),
        rows.length > limit && last !== undefined
          ? encodeCursor([last.read_at === null ? 1 : 0, last.created_at, last.notification_id])
          : null,
      ) satisfies t.TypeOf<typeof NotificationPage>;
    },
  );
};
