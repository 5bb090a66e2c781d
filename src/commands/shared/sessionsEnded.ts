import type { DatabasePool } from 'slonik';
import { sql } from 'slonik';
import { z } from 'zod';
import type { SessionsEnded } from '../../domain/account/state.ts';
import type { Position } from '../../infrastructure/eventStore/eventStore.ts';

/** A password change or reset that ended sessions: whose, when, which one it kept, and the end before it. */
export interface SessionsEndingChange {
  readonly userId: string;
  readonly at: string;
  readonly kept: string | null;
  /** The account's previous change: sessions it ended were not live, so this one did not end them. */
  readonly previous: SessionsEnded | null;
  /** Of the change's event: the count waits until the sessions read model has applied it. */
  readonly position: Position | null;
}

/** How many sessions a change ended; null when the sessions read model did not catch up in time. */
export type CountSessionsEnded = (change: SessionsEndingChange) => Promise<number | null>;

const Count = z.object({ count: z.number() });

/**
 * Counted in the sessions read model once it has applied the change, so that every login before the
 * change is in it: the sessions live at the change (started before it, not expired, not ended before
 * it by a logout or by the previous change) but the one kept.
 */
export const countSessionsEnded =
  (db: DatabasePool, waitForSessions: (position: Position, timeoutMs: number) => Promise<boolean>, timeoutMs: number): CountSessionsEnded =>
  async ({ userId, at, kept, previous, position }) => {
    if (position !== null && !(await waitForSessions(position, timeoutMs))) return null;
    return db.oneFirst(sql.type(Count)`
      SELECT count(*)::int AS count
        FROM rm_sessions.sessions s
       WHERE s.user_id = ${userId}
         AND s.started_at < ${at}::timestamptz
         AND s.expires_at > ${at}::timestamptz
         AND (s.ended_at IS NULL OR s.ended_at >= ${at}::timestamptz)
         AND s.session_id IS DISTINCT FROM ${kept}::uuid
         AND (${previous?.at ?? null}::timestamptz IS NULL
              OR s.started_at >= ${previous?.at ?? null}::timestamptz
              OR s.session_id = ${previous?.except ?? null}::uuid)`);
  };
