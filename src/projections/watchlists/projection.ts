import { readFileSync } from 'node:fs';
import type { Projection } from '../runtime/projection.ts';
import type { Statement } from '../runtime/statements.ts';

/** Each user's watchlist; within a batch the last word on a user and movie wins. */
export const watchlists: Projection = {
  name: 'watchlists',
  version: 1,
  eventTypes: ['AddedToWatchlist', 'RemovedFromWatchlist'],
  schema: readFileSync(new URL('./schema.sql', import.meta.url), 'utf8'),
  statements: (events) => {
    const latest = new Map<string, { userId: string; movieId: string; listed: boolean; at: string }>();
    for (const event of events) {
      if (event.type !== 'AddedToWatchlist' && event.type !== 'RemovedFromWatchlist') continue;
      const { userId, movieId } = event.data;
      latest.set(`${userId} ${movieId}`, { userId, movieId, listed: event.type === 'AddedToWatchlist', at: event.metadata.occurredAt });
    }
    const added = [...latest.values()].filter((entry) => entry.listed);
    const removed = [...latest.values()].filter((entry) => !entry.listed);
    const statements: Statement[] = [];
    if (added.length > 0) {
      statements.push({
        text: `INSERT INTO watchlist_entries (user_id, movie_id, added_at)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) ON CONFLICT DO NOTHING`,
        values: [added.map((e) => e.userId), added.map((e) => e.movieId), added.map((e) => e.at)],
      });
    }
    if (removed.length > 0) {
      statements.push({
        text: 'DELETE FROM watchlist_entries w USING unnest($1::uuid[], $2::uuid[]) AS gone(user_id, movie_id) WHERE w.user_id = gone.user_id AND w.movie_id = gone.movie_id',
        values: [removed.map((e) => e.userId), removed.map((e) => e.movieId)],
      });
    }
    return statements;
  },
};
