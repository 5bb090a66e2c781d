// How a notification is shown: the inbox (src/queries/myNotifications) lists it and the push
// (src/reactors/notificationPush) sends it alike, both from the rows this read model keeps.

/** A notification as the projection keeps it (times in milliseconds since the epoch). */
export interface StoredNotification<Detail> {
  readonly notification_id: string;
  readonly type: string;
  readonly created_at: number;
  readonly read_at: number | null;
  readonly cause_position: string;
  readonly detail: Detail;
}

/**
 * An inbox item, as `GET /me/notifications` lists it and `notification.created` pushes it: `{ id, type,
 * createdAt, readAt, position }` (position: of the event that caused it) and what its type tells
 * (`movie`, `genres`, `changed`, `displayName`).
 */
export const toNotificationView = <Detail extends object>(row: StoredNotification<Detail>) => ({
  ...row.detail,
  id: row.notification_id,
  type: row.type,
  createdAt: new Date(row.created_at).toISOString(),
  readAt: row.read_at === null ? null : new Date(row.read_at).toISOString(),
  position: row.cause_position,
});
