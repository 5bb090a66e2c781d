import { readFileSync } from 'node:fs';
import type { Projection } from '../runtime/projection.ts';

/** What each user watched and when. */
export const history: Projection = {
  name: 'history',
  version: 1,
  eventTypes: ['MovieWatched'],
  schema: readFileSync(new URL('./schema.sql', import.meta.url), 'utf8'),
  statements: (events) => {
    const watched = events.flatMap((event) => (event.type === 'MovieWatched' ? [{ position: event.position, ...event.data }] : []));
    if (watched.length === 0) return [];
    return [
      {
        text: `INSERT INTO watch_history (position, user_id, movie_id, watched_at)
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::timestamptz[]) ON CONFLICT DO NOTHING`,
        values: [
          watched.map((w) => w.position),
          watched.map((w) => w.userId),
          watched.map((w) => w.movieId),
          watched.map((w) => w.watchedAt),
        ],
      },
    ];
  },
};
