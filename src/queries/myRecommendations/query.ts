import type { DatabasePool } from 'slonik';
import { sql } from 'slonik';
import { z } from 'zod';
import { recommendationModel } from '../../projections/cowatch/model.ts';
import { movieColumns, MovieRow } from '../shared/movies.ts';
import { latestActivityEnd, trendingPage, windowEndingAt, type TrendingRow } from '../trendingMovies/query.ts';

export const ScoredRow = MovieRow.extend({ score: z.number() });
export type ScoredRow = z.infer<typeof ScoredRow>;

export type Reason = 'similar' | 'trending' | 'popular';

export interface Recommendation {
  readonly row: MovieRow;
  readonly score: number;
  /** `similar`: to what the user rated or watched; the others fill in when that runs short (a new user). */
  readonly reason: Reason;
}

const model = recommendationModel;

/**
 * The item-kNN model of src/projections/cowatch/model.ts: every movie the user rated or watched (the
 * latest `historyForScoring` of them) votes for its neighbours, by how much they liked it and how
 * recently; movies they rated or watched and archived ones are left out. Their history is read live,
 * the neighbours as last refreshed.
 */
export const similarToHistory = (db: DatabasePool, userId: string, limit: number) =>
  db.any(sql.type(ScoredRow)`
    WITH mine AS (
      SELECT i.movie_id, coalesce(i.score::float8, ${model.watchedScore}) AS score, i.at,
             row_number() OVER (ORDER BY i.at DESC, i.movie_id) - 1 AS recency,
             max(i.at) OVER () AS latest
        FROM rm_cowatch.interactions i
       WHERE i.user_id = ${userId}
       ORDER BY i.at DESC, i.movie_id
       LIMIT ${model.historyForScoring}
    ),
    -- Materialised: inlined, each movie's weight was computed again for every one of its 50
    -- neighbours' rows (exp, power and an interval per row: half the query for a long history).
    weighted AS MATERIALIZED (
      SELECT movie_id, (score - 1) * (exp(-recency / ${model.recencyRankScale}::float8)
               + power(0.5, extract(epoch FROM latest - at)::float8 / ${model.ageHalfLifeDays * 86_400})) AS weight
        FROM mine
    ), candidates AS (
      SELECT n.movie_id, sum(w.weight * power(n.similarity::float8, ${model.exponent})) AS score
        FROM weighted w
        JOIN similarity.item_neighbours s ON s.movie_id = w.movie_id
       CROSS JOIN LATERAL unnest(s.neighbour_ids, s.similarities) AS n(movie_id, similarity)
       GROUP BY n.movie_id
    ), page AS MATERIALIZED (
      -- NOT IN over the user's movies is one hash built per request; NOT EXISTS was planned, from a
      -- guess of three candidates where there are a thousand, as a scan of the whole history for each.
      -- Only the page's rows are read whole, after the ranking.
      SELECT c.movie_id, c.score
        FROM candidates c
        JOIN rm_catalogue.movies m ON m.movie_id = c.movie_id
       WHERE c.score > 0 AND NOT m.archived
         AND c.movie_id NOT IN (SELECT i.movie_id FROM rm_cowatch.interactions i WHERE i.user_id = ${userId})
       ORDER BY c.score DESC, c.movie_id
       LIMIT ${limit}
    )
    SELECT ${movieColumns}, page.score
      FROM page
      JOIN rm_catalogue.movies m ON m.movie_id = page.movie_id
      LEFT JOIN rm_ratings.movie_ratings r ON r.movie_id = m.movie_id
     ORDER BY page.score DESC, m.movie_id`);

/** The most rated movies the user has not rated or watched, leaving out those already chosen. */
export const popularUnseen = (db: DatabasePool, userId: string, chosen: readonly string[], limit: number) =>
  db.any(sql.type(ScoredRow)`
    SELECT ${movieColumns}, r.count::float8 AS score
      FROM rm_ratings.movie_ratings r
      JOIN rm_catalogue.movies m ON m.movie_id = r.movie_id
     WHERE NOT m.archived AND r.count > 0
       AND m.movie_id <> ALL(${sql.array(chosen, 'uuid')})
       AND m.movie_id NOT IN (SELECT i.movie_id FROM rm_cowatch.interactions i WHERE i.user_id = ${userId})
     ORDER BY r.count DESC, r.average DESC NULLS LAST, m.movie_id
     LIMIT ${limit}`);

/** Whether the user rated or watched anything (as the cowatch read model has it). */
export const hasHistory = (db: DatabasePool, userId: string): Promise<boolean> =>
  db.oneFirst(
    sql.type(z.object({ found: z.boolean() }))`SELECT EXISTS (SELECT 1 FROM rm_cowatch.interactions WHERE user_id = ${userId}) AS found`,
  );

/**
 * Someone who never rated or watched anything: every such user is recommended the same movies (the
 * trending and popular fallbacks, nothing to leave out), so their list is computed as this id's.
 * No user has it (ids are random v4 or name-based v5 UUIDs).
 */
export const userWithoutHistory = '00000000-0000-0000-0000-000000000000';

/**
 * What is trending this week, or in the latest week with activity (as GET /movies/trending?window=7d
 * answers), best first, up to `count`, with `unseenBy`'s rated and watched movies left out. Without
 * `unseenBy` the list is everyone's: the same for every user, so the service can keep it.
 */
export const weeklyTrending = async (db: DatabasePool, now: Date, count: number, unseenBy?: string): Promise<readonly TrendingRow[]> => {
  const latest = await latestActivityEnd(db, now);
  if (latest === null) return [];
  const live = windowEndingAt('7d', now);
  const bounds = latest.getTime() > live.from.getTime() ? live : windowEndingAt('7d', latest);
  return trendingPage(db, '7d', bounds, undefined, count, unseenBy);
};

/** Rows of everyone's trending list read beyond a page, so that a user's seen movies can be taken out of it. */
const unseenSlack = 50;

/**
 * The user's `limit` best trending movies that they have not rated or watched. Taken from everyone's
 * list (`everyonesTrending`, which the service keeps in memory; ranking trending on a large
 * catalogue takes 150 ms) with their movies left out, which is the same list as ranking without
 * them whenever enough remain or everyone's list is whole; otherwise ranked again without them.
 */
const trendingUnseen = async (
  db: DatabasePool,
  userId: string,
  options: { readonly limit: number; readonly now: Date; readonly everyonesTrending?: (count: number) => Promise<readonly TrendingRow[]> },
): Promise<readonly TrendingRow[]> => {
  const count = options.limit + unseenSlack;
  const everyones = await (options.everyonesTrending ?? ((wanted: number) => weeklyTrending(db, options.now, wanted)))(count);
  const seen = new Set(
    await db.anyFirst(sql.type(z.object({ movie_id: z.string() }))`
      SELECT i.movie_id FROM rm_cowatch.interactions i
       WHERE i.user_id = ${userId} AND i.movie_id = ANY(${sql.array(
         everyones.map((row) => row.movie_id),
         'uuid',
       )})`),
  );
  const unseen = everyones.filter((row) => !seen.has(row.movie_id));
  if (unseen.length >= options.limit || everyones.length < count) return unseen.slice(0, options.limit);
  return weeklyTrending(db, options.now, options.limit, userId);
};

/**
 * What `GET /me/recommendations` answers, and what `fastflix eval recommendations` measures: the
 * model's picks, then, while fewer than `limit`, what is trending this week (or in the latest week
 * with activity), then the most rated movies. `everyonesTrending`, when given, answers the week's
 * trending list as `weeklyTrending` would without a user (the service reads it from memory).
 */
export const recommendationsFor = async (
  db: DatabasePool,
  userId: string,
  options: { readonly limit: number; readonly now: Date; readonly everyonesTrending?: (count: number) => Promise<readonly TrendingRow[]> },
): Promise<Recommendation[]> => {
  const picks: Recommendation[] = (await similarToHistory(db, userId, options.limit)).map((row) => ({
    row,
    score: row.score,
    reason: 'similar',
  }));
  const chosen = (): string[] => picks.map((pick) => pick.row.movie_id);
  if (picks.length < options.limit) {
    const taken = new Set(chosen());
    for (const row of await trendingUnseen(db, userId, options)) {
      if (picks.length < options.limit && !taken.has(row.movie_id)) picks.push({ row, score: row.score, reason: 'trending' });
    }
  }
  if (picks.length < options.limit) {
    for (const row of await popularUnseen(db, userId, chosen(), options.limit - picks.length)) {
      picks.push({ row, score: row.score, reason: 'popular' });
    }
  }
  return picks;
};
