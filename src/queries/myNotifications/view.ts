import type { NotificationRow } from './query.ts';

/** An inbox item: `{ id, type, createdAt, readAt, position }` and what its type tells (movie, genres, changed). */
export const toNotificationView = (row: NotificationRow): Record<string, unknown> => ({
  ...row.detail,
  id: row.notification_id,
  type: row.type,
  createdAt: new Date(row.created_at).toISOString(),
  readAt: row.read_at === null ? null : new Date(row.read_at).toISOString(),
  position: row.cause_position,
});
