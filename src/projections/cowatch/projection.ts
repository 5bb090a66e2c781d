import { readFileSync } from 'node:fs';
import type { Projection } from '../runtime/projection.ts';

interface Change {
  readonly userId: string;
  readonly movieId: string;
  /** The batch rated or retracted: `score` is the new current rating (null: retracted). */
  setsScore: boolean;
  score: number | null;
  watched: boolean;
  /** The latest rating or watch in the batch, in ms; null when the batch only retracted. */
  at: number | null;
}

/**
 * Co-watch: each user's current rating and watch of each movie, the input of the similarity tables
 * that "also watched" and recommendations read (refresh.ts recomputes those periodically; pairwise
 * co-occurrence per event would cost the square of a user's history on every rating). A batch folds
 * into one change per user and movie, merged in one statement.
 */
export const cowatch: Projection = {
  name: 'cowatch',
  version: 1,
  eventTypes: ['MovieRated', 'RatingRetracted', 'MovieWatched'],
  schema: readFileSync(new URL('./schema.sql', import.meta.url), 'utf8'),
  statements: (events) => {
    const changes = new Map<string, Change>();
    const change = (userId: string, movieId: string): Change => {
      const key = `${userId} ${movieId}`;
      const known = changes.get(key);
      if (known !== undefined) return known;
      const created: Change = { userId, movieId, setsScore: false, score: null, watched: false, at: null };
      changes.set(key, created);
      return created;
    };
    const engaged = (entry: Change, at: string): void => {
      const ms = Date.parse(at);
      entry.at = entry.at === null ? ms : Math.max(entry.at, ms);
    };
    let last = -1n;
    for (const event of events) {
      if (event.type === 'MovieRated') {
        const entry = change(event.data.userId, event.data.movieId);
        entry.setsScore = true;
        entry.score = event.data.score;
        engaged(entry, event.metadata.occurredAt);
      } else if (event.type === 'RatingRetracted') {
        const entry = change(event.data.userId, event.data.movieId);
        entry.setsScore = true;
        entry.score = null;
      } else if (event.type === 'MovieWatched') {
        const entry = change(event.data.userId, event.data.movieId);
        entry.watched = true;
        // When they say they watched it: a viewing logged late still sits where it belongs in their history.
        engaged(entry, event.data.watchedAt);
      } else {
        continue;
      }
      if (event.position > last) last = event.position;
    }
    if (changes.size === 0) return [];
    const rows = [...changes.values()];
    // One statement: the interactions and the position they reflect (which the similarity refresher
    // compares with its last computation) move together, in one round trip.
    return [
      {
        text: `WITH moved AS (UPDATE source SET position = greatest(position, $7) RETURNING 1)
       MERGE INTO interactions i
       USING (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::boolean[], $4::numeric[], $5::boolean[], $6::timestamptz[])
                AS d(user_id, movie_id, sets_score, score, watched, at)) d
          ON i.user_id = d.user_id AND i.movie_id = d.movie_id
       WHEN MATCHED AND d.sets_score AND d.score IS NULL AND NOT d.watched AND NOT i.watched THEN DELETE
       WHEN MATCHED THEN UPDATE SET
         score = CASE WHEN d.sets_score THEN d.score ELSE i.score END,
         watched = i.watched OR d.watched,
         at = greatest(i.at, d.at)
       WHEN NOT MATCHED AND (d.score IS NOT NULL OR d.watched) THEN
         INSERT (user_id, movie_id, score, watched, at) VALUES (d.user_id, d.movie_id, d.score, d.watched, d.at)`,
        values: [
          rows.map((row) => row.userId),
          rows.map((row) => row.movieId),
          rows.map((row) => row.setsScore),
          rows.map((row) => row.score),
          rows.map((row) => row.watched),
          rows.map((row) => (row.at === null ? null : new Date(row.at).toISOString())),
          last.toString(),
        ],
      },
    ];
  },
};
