import type pg from 'pg';
import type { JsonObject, Position } from '../../infrastructure/eventStore/eventStore.ts';
import type { StoredNotification } from '../../projections/notifications/view.ts';

/** The notifications one event caused, as the projection made them (through notifications_by_cause). */
export const notificationsCausedAt = async (
  pool: pg.Pool,
  position: Position,
): Promise<(StoredNotification<JsonObject> & { user_id: string })[]> => {
  const { rows } = await pool.query<{
    notification_id: string;
    user_id: string;
    type: string;
    created_at: Date;
    read_at: Date | null;
    cause_position: string;
    detail: JsonObject;
  }>(
    `SELECT notification_id, user_id, type, created_at, read_at, cause_position::text AS cause_position, detail
       FROM rm_notifications.notifications WHERE cause_position = $1 ORDER BY notification_id`,
    [position.toString()],
  );
  return rows.map((row) => ({ ...row, created_at: row.created_at.getTime(), read_at: row.read_at?.getTime() ?? null }));
};
