import type { DatabasePool } from 'slonik';
import { sql } from 'slonik';
import { z } from 'zod';

export const NotificationRow = z.object({
  notification_id: z.string(),
  type: z.string(),
  // slonik's preset parses timestamptz into milliseconds since the epoch.
  created_at: z.number(),
  read_at: z.number().nullable(),
  cause_position: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type NotificationRow = z.infer<typeof NotificationRow>;

/** Where a page starts: after this notification, in the inbox's order. */
export interface InboxKey {
  readonly unread: boolean;
  readonly createdAt: number;
  readonly notificationId: string;
}

/** A user's notifications, unread first, then newest, after the cursor's (notifications_inbox index order). */
export const inboxPage = (db: DatabasePool, userId: string, after: InboxKey | undefined, limit: number) =>
  db.any(sql.type(NotificationRow)`
    SELECT n.notification_id, n.type, n.created_at, n.read_at, n.cause_position::text AS cause_position, n.detail
      FROM rm_notifications.notifications n
     WHERE n.user_id = ${userId}
       ${
         after === undefined
           ? sql.fragment``
           : sql.fragment`AND (n.read_at IS NULL, n.created_at, n.notification_id) < (${after.unread}, to_timestamp(${after.createdAt} / 1000.0), ${after.notificationId}::uuid)`
       }
     ORDER BY (n.read_at IS NULL) DESC, n.created_at DESC, n.notification_id DESC
     LIMIT ${limit}`);
