import type { DatabasePool } from 'slonik';
import { sql } from 'slonik';
import { z } from 'zod';
import { movieColumns, MovieRow } from '../shared/movies.ts';

// Trending: a score per movie over a sliding window, from rm_trending.activity (hourly counts).
// Each watch counts 1 and each rating 0.5 + score / 10 (0.55 for half a star, 1 for five): trending
// measures attention, so a movie people rate badly still trends, a little less than one they love.
// Activity decays exponentially with a half-life of a quarter of the window (6 h of 24 h, 42 h of
// 7 d): the last hours lead, and the window's far edge, where activity counts 1/16, cuts softly.

export const trendingWindows = {
  '24h': { hours: 24, halfLifeHours: 6 },
  '7d': { hours: 168, halfLifeHours: 42 },
} as const;
export type TrendingWindow = keyof typeof trendingWindows;

export interface WindowBounds {
  readonly from: Date;
  readonly to: Date;
}

export const TrendingRow = MovieRow.extend({ score: z.number(), watches: z.number(), ratings: z.number() });
export type TrendingRow = z.infer<typeof TrendingRow>;

const hourMs = 3_600_000;

/** Rows ranked beyond the page, in case the catalogue has not caught up with some of them. */
const slack = 8;

export const windowEndingAt = (window: TrendingWindow, to: Date): WindowBounds => ({
  from: new Date(to.getTime() - trendingWindows[window].hours * hourMs),
  to,
});

/**
 * When the hours a window ending at `to` counts next change (milliseconds since the epoch): activity
 * is counted in whole UTC hours, and a window holds the hours that overlap it, so every end within
 * one hour counts the same hours, and a later end only scales every score by one factor.
 */
export const windowHoursChangeAfter = (to: Date): number => (Math.floor(to.getTime() / hourMs) + 1) * hourMs;

/**
 * Until when a list read with its window ending `now` may be served again (milliseconds since the
 * epoch): its order holds until the window's hours change, and it is kept a few seconds at most all
 * the same, so that its `to` and scores stay recent.
 */
export const windowEndingNowValidUntil = (now: Date): number => Math.min(now.getTime() + 5_000, windowHoursChangeAfter(now));

/**
 * The end of the most recent window with any activity on a movie of the catalogue, at or before
 * `now`: the end of the newest hour with activity. Null when there was never any.
 */
export const latestActivityEnd = async (db: DatabasePool, now: Date): Promise<Date | null> => {
  const hour = await db.maybeOneFirst(sql.type(z.object({ hour: z.number() }))`
    SELECT a.hour FROM rm_trending.activity a JOIN rm_catalogue.movies m ON m.movie_id = a.movie_id
     WHERE a.hour <= to_timestamp(${now.getTime()} / 1000.0) AND NOT m.archived
     ORDER BY a.hour DESC LIMIT 1`);
  return hour === null ? null : new Date(Math.min(hour + hourMs, now.getTime()));
};

/**
 * Movies by their trending score over (from, to], best first, after the cursor's; archived ones left
 * out. The hours that overlap the window count, each decayed from its start to `to` (an hour later or
 * earlier shifts every score by the same factor, so the ranking is that of exact event times, to the hour).
 */
export const trendingPage = (
  db: DatabasePool,
  window: TrendingWindow,
  bounds: WindowBounds,
  after: { readonly score: number; readonly movieId: string } | undefined,
  limit: number,
  /** Leave out the movies this user rated or watched (recommendations' fallback). */
  unseenBy?: string,
) => {
  const halfLifeSeconds = trendingWindows[window].halfLifeHours * 3_600;
  const to = sql.fragment`to_timestamp(${bounds.to.getTime()} / 1000.0)`;
  const from = sql.fragment`to_timestamp(${bounds.from.getTime()} / 1000.0)`;
  // Ranked before the catalogue is joined: scoring every movie with activity in the window is
  // unavoidable, joining each of them with the catalogue is not (on 1,000,000 movies with 150,000
  // active that join was most of a second); archived movies are subtracted as the small set they are.
  // A few rows of slack cover movies the catalogue does not show yet (its projection behind this one).
  return db.any(sql.type(TrendingRow)`
    WITH scored AS (
      SELECT a.movie_id,
             sum((a.watches + 0.5 * a.ratings + a.rating_half_stars / 20.0)::float8
                 * power(0.5, extract(epoch FROM ${to} - a.hour)::float8 / ${halfLifeSeconds})) AS score,
             sum(a.watches)::integer AS watches,
             sum(a.ratings)::integer AS ratings
        FROM rm_trending.activity a
       WHERE a.hour > ${from} - interval '1 hour' AND a.hour <= ${to}
         AND a.movie_id NOT IN (SELECT archived.movie_id FROM rm_catalogue.movies archived WHERE archived.archived)
         ${unseenBy === undefined ? sql.fragment`` : sql.fragment`AND a.movie_id NOT IN (SELECT i.movie_id FROM rm_cowatch.interactions i WHERE i.user_id = ${unseenBy})`}
       GROUP BY a.movie_id
    ), top AS (
      SELECT * FROM scored s
       ${after === undefined ? sql.fragment`` : sql.fragment`WHERE (s.score, s.movie_id) < (${after.score}::float8, ${after.movieId}::uuid)`}
       ORDER BY s.score DESC, s.movie_id DESC
       LIMIT ${limit + slack}
    )
    SELECT ${movieColumns}, s.score, s.watches, s.ratings
      FROM top s
      JOIN rm_catalogue.movies m ON m.movie_id = s.movie_id
      LEFT JOIN rm_ratings.movie_ratings r ON r.movie_id = m.movie_id
     ORDER BY s.score DESC, m.movie_id DESC
     LIMIT ${limit}`);
};
