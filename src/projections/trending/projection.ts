import { readFileSync } from 'node:fs';
import type { Projection } from '../runtime/projection.ts';

interface HourDelta {
  readonly movieId: string;
  readonly hour: string;
  watches: number;
  ratings: number;
  ratingHalfStars: number;
}

const hourMs = 3_600_000;

/** The start of the hour `occurredAt` falls in, in UTC. */
export const hourOf = (occurredAt: string): string => new Date(Math.floor(Date.parse(occurredAt) / hourMs) * hourMs).toISOString();

/**
 * Trending: how much each movie was watched and rated, hour by hour. Every watch and every rating
 * (a re-rating too) is activity at the time it happened; a retraction takes nothing back, the
 * attention happened. A batch folds into one delta per movie and hour, written in one statement.
 */
export const trending: Projection = {
  name: 'trending',
  version: 1,
  eventTypes: ['MovieRated', 'MovieWatched'],
  schema: readFileSync(new URL('./schema.sql', import.meta.url), 'utf8'),
  statements: (events) => {
    const deltas = new Map<string, HourDelta>();
    const delta = (movieId: string, occurredAt: string): HourDelta => {
      const hour = hourOf(occurredAt);
      const key = `${movieId} ${hour}`;
      const known = deltas.get(key);
      if (known !== undefined) return known;
      const created = { movieId, hour, watches: 0, ratings: 0, ratingHalfStars: 0 };
      deltas.set(key, created);
      return created;
    };
    for (const event of events) {
      if (event.type === 'MovieWatched') {
        delta(event.data.movieId, event.metadata.occurredAt).watches += 1;
      } else if (event.type === 'MovieRated') {
        const hour = delta(event.data.movieId, event.metadata.occurredAt);
        hour.ratings += 1;
        hour.ratingHalfStars += event.data.score * 2;
      }
    }
    if (deltas.size === 0) return [];
    const rows = [...deltas.values()];
    return [
      {
        text: `INSERT INTO activity AS a (movie_id, hour, watches, ratings, rating_half_stars)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::integer[], $4::integer[], $5::integer[])
       ON CONFLICT (movie_id, hour) DO UPDATE SET
         watches = a.watches + excluded.watches,
         ratings = a.ratings + excluded.ratings,
         rating_half_stars = a.rating_half_stars + excluded.rating_half_stars`,
        values: [
          rows.map((row) => row.movieId),
          rows.map((row) => row.hour),
          rows.map((row) => row.watches),
          rows.map((row) => row.ratings),
          rows.map((row) => row.ratingHalfStars),
        ],
      },
    ];
  },
};
