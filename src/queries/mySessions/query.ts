import type { DatabasePool } from 'slonik';
import { sql } from 'slonik';
import { z } from 'zod';

export const SessionRow = z.object({
  session_id: z.string(),
  // slonik's preset parses timestamptz into milliseconds since the epoch.
  started_at: z.number(),
  last_used_at: z.number(),
  expires_at: z.number(),
});
export type SessionRow = z.infer<typeof SessionRow>;

/**
 * The account's live sessions, newest first, after the cursor's: not ended, not expired, and not
 * started before a password change or reset that ended them (the one that changed it goes on).
 */
export const liveSessionsPage = (
  db: DatabasePool,
  userId: string,
  now: Date,
  after: { readonly startedAt: number; readonly sessionId: string } | undefined,
  limit: number,
) =>
  db.any(sql.type(SessionRow)`
    SELECT s.session_id, s.started_at, s.last_used_at, s.expires_at
      FROM rm_sessions.sessions s
      LEFT JOIN rm_sessions.account_session_ends e ON e.user_id = s.user_id
     WHERE s.user_id = ${userId}
       AND s.ended_at IS NULL
       AND s.expires_at > ${now.toISOString()}::timestamptz
       AND (e.user_id IS NULL OR s.started_at >= e.ended_before OR s.session_id = e.kept_session_id)
       ${
         after === undefined
           ? sql.fragment``
           : sql.fragment`AND (s.started_at, s.session_id) < (to_timestamp(${after.startedAt} / 1000.0), ${after.sessionId}::uuid)`
       }
     ORDER BY s.started_at DESC, s.session_id DESC
     LIMIT ${limit}`);
