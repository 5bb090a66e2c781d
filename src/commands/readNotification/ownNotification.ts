import type { DatabasePool } from 'slonik';
import { sql } from 'slonik';
import { z } from 'zod';

/**
 * Whether the notification is this user's: asked of the read model, the one place notifications are
 * (they are made by the projection, not recorded as events of their own).
 */
export const isOwnNotification = async (db: DatabasePool, userId: string, notificationId: string): Promise<boolean> =>
  (await db.maybeOne(sql.type(z.object({ found: z.literal(1) }))`
    SELECT 1 AS found FROM rm_notifications.notifications WHERE notification_id = ${notificationId} AND user_id = ${userId}`)) !== null;
