import type { DatabasePool } from 'slonik';
import { toMovieView, type MovieRow, type MovieView } from '../shared/movies.ts';
import type { TrendingRow } from '../trendingMovies/query.ts';
import type { TrendingRanking, TrendingSnapshot } from '../trendingMovies/snapshot.ts';
import { recommendationsFor, userWithoutHistory, type Reason } from './query.ts';

// The recommendations' share of a trending snapshot: the week's trending list every user's fallback
// is taken from is the snapshot's 7d ranking (the same ranking, 500 deep), and the one list every user
// without history gets is computed with it, by the trending-aggregation job, at the same slot.

/** Rows of the newcomers' list a snapshot keeps: GET /me/recommendations' largest limit. */
export const newcomersDepth = 100;

export interface RecommendationItem {
  readonly movie: MovieView;
  readonly score: number;
  readonly reason: Reason;
}

/** The row toMovieView made `view` from (a missing histogram reads as zeros, which shows the same). */
export const rowOfView = (view: MovieView): MovieRow => ({
  movie_id: view.id,
  slug: view.slug,
  title: view.title,
  year: view.year,
  genres: view.genres,
  overview: view.overview,
  external_ids: view.externalIds,
  created_at: Date.parse(view.createdAt),
  updated_at: Date.parse(view.updatedAt),
  rating_count: view.rating.count,
  rating_average: view.rating.average,
  rating_histogram: Object.values(view.rating.histogram),
});

/** Everyone's trending list of the week as weeklyTrending answers it, read from a snapshot's 7d ranking. */
export const weeklyTrendingOf =
  (ranking: TrendingRanking) =>
  (count: number): Promise<readonly TrendingRow[]> =>
    Promise.resolve(
      ranking.items
        .slice(0, count)
        .map((item) => ({ ...rowOfView(item.movie), score: item.score, watches: item.watches, ratings: item.ratings })),
    );

/**
 * What every user without history is recommended, `newcomersDepth` deep: a request for fewer takes
 * the first ones (trending first, then popular, each in its order: a shorter list is a prefix).
 */
export const computeNewcomers = async (db: DatabasePool, slot: Date, weekly: TrendingRanking): Promise<readonly RecommendationItem[]> => {
  const picks = await recommendationsFor(db, userWithoutHistory, {
    limit: newcomersDepth,
    now: slot,
    everyonesTrending: weeklyTrendingOf(weekly),
  });
  return picks.map((pick) => ({ movie: toMovieView(pick.row), score: Math.round(pick.score * 10_000) / 10_000, reason: pick.reason }));
};

/** The snapshot a request reads, when there is one and it has what X-Min-Position asks to see. */
export const coveringSnapshot = (
  snapshot: TrendingSnapshot | undefined,
  covers: (snapshotPosition: bigint) => boolean,
): TrendingSnapshot | undefined => (snapshot !== undefined && covers(BigInt(snapshot.position)) ? snapshot : undefined);
