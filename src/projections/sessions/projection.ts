import { readFileSync } from 'node:fs';
import type { Projection } from '../runtime/projection.ts';
import type { Statement } from '../runtime/statements.ts';

interface Started {
  readonly userId: string;
  readonly startedAt: string;
  readonly expiresAt: string;
}

/**
 * Every login session of every account, for `GET /me/sessions`. A batch is folded per session (its
 * start, its latest refresh, its end) and per account (its latest password change or reset), so
 * that each table takes one statement whatever the batch holds; the statements run in the order a
 * session lives (start, refresh, end), which is the order its events can come in.
 */
export const sessions: Projection = {
  name: 'sessions',
  version: 1,
  eventTypes: [
    'SessionStarted',
    'SessionRefreshed',
    'SessionRevoked',
    'PasswordChanged',
    'PasswordReset',
    'UserDeactivated',
    'UserForgotten',
  ],
  schema: readFileSync(new URL('./schema.sql', import.meta.url), 'utf8'),
  statements: (events) => {
    const started = new Map<string, Started>();
    const refreshed = new Map<string, { readonly at: string; readonly expiresAt: string }>();
    const revoked = new Map<string, { readonly at: string; readonly reason: string }>();
    const accountEnds = new Map<string, { readonly at: string; readonly kept: string | null }>();
    for (const event of events) {
      const at = event.metadata.occurredAt;
      switch (event.type) {
        case 'SessionStarted':
          started.set(event.data.sessionId, {
            userId: event.data.userId,
            startedAt: event.data.startedAt ?? at,
            expiresAt: event.data.expiresAt,
          });
          break;
        case 'SessionRefreshed':
          refreshed.set(event.data.sessionId, { at, expiresAt: event.data.expiresAt });
          break;
        case 'SessionRevoked':
          if (!revoked.has(event.data.sessionId)) revoked.set(event.data.sessionId, { at, reason: event.data.reason });
          break;
        // Password events written before they ended sessions carry no changedAt, and ended none.
        case 'PasswordChanged':
          if (event.data.changedAt !== undefined)
            accountEnds.set(event.data.userId, { at: event.data.changedAt, kept: event.data.keptSessionId ?? null });
          break;
        case 'PasswordReset':
          if (event.data.changedAt !== undefined) accountEnds.set(event.data.userId, { at: event.data.changedAt, kept: null });
          break;
        case 'UserDeactivated':
        case 'UserForgotten':
          accountEnds.set(event.data.userId, { at, kept: null });
          break;
        default:
          break;
      }
    }
    const statements: Statement[] = [];
    if (started.size > 0) {
      const rows = [...started.entries()];
      statements.push({
        text: `INSERT INTO sessions (session_id, user_id, started_at, last_used_at, expires_at)
               SELECT id, user_id, at, at, expires_at FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[]) AS s(id, user_id, at, expires_at)
               ON CONFLICT DO NOTHING`,
        values: [rows.map(([id]) => id), rows.map(([, s]) => s.userId), rows.map(([, s]) => s.startedAt), rows.map(([, s]) => s.expiresAt)],
      });
    }
    if (refreshed.size > 0) {
      const rows = [...refreshed.entries()];
      statements.push({
        text: `UPDATE sessions SET last_used_at = r.at, expires_at = r.expires_at
                 FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS r(id, at, expires_at)
                WHERE sessions.session_id = r.id`,
        values: [rows.map(([id]) => id), rows.map(([, r]) => r.at), rows.map(([, r]) => r.expiresAt)],
      });
    }
    if (revoked.size > 0) {
      const rows = [...revoked.entries()];
      statements.push({
        text: `UPDATE sessions SET ended_at = r.at, end_reason = r.reason
                 FROM unnest($1::uuid[], $2::timestamptz[], $3::text[]) AS r(id, at, reason)
                WHERE sessions.session_id = r.id AND sessions.ended_at IS NULL`,
        values: [rows.map(([id]) => id), rows.map(([, r]) => r.at), rows.map(([, r]) => r.reason)],
      });
    }
    if (accountEnds.size > 0) {
      const rows = [...accountEnds.entries()];
      statements.push({
        text: `INSERT INTO account_session_ends (user_id, ended_before, kept_session_id)
               SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[])
               ON CONFLICT (user_id) DO UPDATE SET ended_before = excluded.ended_before, kept_session_id = excluded.kept_session_id
               WHERE account_session_ends.ended_before <= excluded.ended_before`,
        values: [rows.map(([id]) => id), rows.map(([, e]) => e.at), rows.map(([, e]) => e.kept)],
      });
    }
    return statements;
  },
};
