import type Router from '@koa/router';
import * as t from 'io-ts';
import { Uuid } from '../../domain/shared/codecs.ts';
import { CursorTime, invalidCursor, readCursor } from '../shared/cursors.ts';
import type { QueryDependencies } from '../shared/dependencies.ts';
import { decodeQuery } from '../shared/http.ts';
import { encodeCursor, page } from '../shared/movies.ts';
import { defaultLimit, PageQuery } from '../shared/paging.ts';
import { inboxPage, type InboxKey } from './query.ts';
import { toNotificationView } from './view.ts';

/** Unread (1) or read (0), the time in milliseconds, the id: the inbox's sort key. */
const InboxCursor = t.tuple([t.union([t.literal(0), t.literal(1)]), CursorTime, Uuid]);

/** `GET /me/notifications`: the user's inbox, unread first, then newest. */
export const myNotificationsRoute = (router: Router, dependencies: QueryDependencies): void => {
  router.get('/me/notifications', dependencies.guards.requireUser, dependencies.consistentWith('notifications'), async (ctx) => {
    const { limit = defaultLimit, cursor } = decodeQuery(PageQuery, ctx);
    const key = cursor === undefined ? undefined : readCursor(InboxCursor, cursor);
    if (cursor !== undefined && key === undefined) throw invalidCursor();
    const after: InboxKey | undefined = key === undefined ? undefined : { unread: key[0] === 1, createdAt: key[1], notificationId: key[2] };
    const rows = await inboxPage(dependencies.db, ctx.state.user?.sub ?? '', after, limit + 1);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    ctx.set('Cache-Control', 'no-store');
    ctx.body = page(
      items.map(toNotificationView),
      rows.length > limit && last !== undefined
        ? encodeCursor([last.read_at === null ? 1 : 0, last.created_at, last.notification_id])
        : null,
    );
  });
};
