import type { DatabasePool } from 'slonik';
import { toMovieView, type MovieView } from '../shared/movies.ts';
import { computeNewcomers, type RecommendationItem } from '../myRecommendations/fromSnapshot.ts';
import { latestActivityEnd, trendingPage, trendingWindows, windowEndingAt, type TrendingWindow } from './query.ts';

// A trending snapshot: every window's ranking as it stood at the start of one schedule slot, computed
// by the trending-aggregation job so that no request ranks (scoring ranks every movie with activity
// in the window: 150,000 of them on a busy day). Requests page through the snapshot computed last.

/** Movies kept per window: pages beyond it are not served (a client scrolling that far gets the end). */
export const snapshotDepth = 500;

/** `now`: the window ends at the slot; `latest-activity`: nothing happened in it, so it ends at the newest activity. */
export type Basis = 'now' | 'latest-activity';

export interface TrendingItem {
  readonly movie: MovieView;
  readonly score: number;
  readonly watches: number;
  readonly ratings: number;
}

export interface TrendingRanking {
  readonly window: TrendingWindow;
  readonly basis: Basis;
  readonly from: string;
  readonly to: string;
  readonly halfLifeHours: number;
  readonly items: readonly TrendingItem[];
}

export interface TrendingSnapshot {
  /** The job's slot key (`trending-aggregation@<slot start>`): one snapshot per slot. */
  readonly key: string;
  /** The start of the slot, which every window that had activity ends at. */
  readonly slot: string;
  /**
   * The global position every read model it was computed from (trending, catalogue, ratings) had
   * passed: a request with a higher X-Min-Position waits for a later snapshot.
   */
  readonly position: string;
  readonly rankings: Readonly<Record<TrendingWindow, TrendingRanking>>;
  /**
   * GET /me/recommendations of every user without history (the trending and popular fallbacks), from
   * the same read models at the same slot. Absent from a snapshot published before it was added (Redis
   * keeps the last one across a deploy): requests then compute it, until the next slot.
   */
  readonly newcomers?: readonly RecommendationItem[];
}

/**
 * The read models a snapshot is computed from: its position is the lowest of theirs. The newcomers'
 * list reads no other (the cowatch history it leaves out is that of a user nobody is: empty).
 */
export const snapshotSources = ['trending', 'catalogue', 'ratings'] as const;

const round = (score: number): number => Math.round(score * 10_000) / 10_000;

/**
 * A window's ranking ending at `to`; when that window holds no activity, the same window ending at the
 * newest activity (an imported history, a quiet week would otherwise show an empty list forever).
 */
export const rankingAt = async (db: DatabasePool, window: TrendingWindow, to: Date): Promise<TrendingRanking> => {
  let basis: Basis = 'now';
  let bounds = windowEndingAt(window, to);
  let rows = await trendingPage(db, window, bounds, undefined, snapshotDepth);
  if (rows.length === 0) {
    const latest = await latestActivityEnd(db, to);
    if (latest !== null && latest.getTime() <= bounds.from.getTime()) {
      basis = 'latest-activity';
      bounds = windowEndingAt(window, latest);
      rows = await trendingPage(db, window, bounds, undefined, snapshotDepth);
    }
  }
  return {
    window,
    basis,
    from: bounds.from.toISOString(),
    to: bounds.to.toISOString(),
    halfLifeHours: trendingWindows[window].halfLifeHours,
    items: rows.map((row) => ({ movie: toMovieView(row), score: round(row.score), watches: row.watches, ratings: row.ratings })),
  };
};

/** `position`: how far every source had got, read before the rankings are. */
export const computeTrendingSnapshot = async (db: DatabasePool, key: string, slot: Date, position: bigint): Promise<TrendingSnapshot> => {
  const week = await rankingAt(db, '7d', slot);
  return {
    key,
    slot: slot.toISOString(),
    position: position.toString(),
    rankings: { '24h': await rankingAt(db, '24h', slot), '7d': week },
    newcomers: await computeNewcomers(db, slot, week),
  };
};
