import type { Middleware } from 'koa';
import type { DatabasePool } from 'slonik';
import type { Guards } from '../../infrastructure/auth/guards.ts';
import type { MovieViewCache } from '../getMovie/movieViews.ts';
import type { SnapshotReader } from '../trendingMovies/snapshots.ts';
import type { PageCache } from './pageCache.ts';
import type { ReadModelChanges } from './readModelChanges.ts';

/** What the query routes are built from; the composition root makes one. */
export interface QueryDependencies {
  readonly db: DatabasePool;
  readonly guards: Guards;
  /** `consistentWith('catalogue', 'ratings')`: honours X-Min-Position for those projections. */
  readonly consistentWith: (...projections: readonly string[]) => Middleware;
  /** Movie views kept current in memory for `GET /movies/:idOrSlug`; without it every lookup reads the database. */
  readonly movieViews?: MovieViewCache;
  /** Pages of `GET /movies` kept while provably current; without it every search reads the database. */
  readonly searchResults?: PageCache;
  /**
   * Pages of `GET /movies/trending`, the one recommendation list of users without history and the
   * week's trending list behind every user's fallback (all read from the same read models), kept
   * while provably current; without it every request reads the database. The last two are read from
   * the trending snapshot whenever it has what X-Min-Position asks for; this keeps them otherwise.
   */
  readonly trendingResults?: PageCache;
  /** The trending snapshots the scheduler computes; with them `GET /movies/trending` runs no SQL. */
  readonly trendingSnapshots?: SnapshotReader;
  /** Changes to the read models trending reads: a snapshot older than X-Min-Position still answers when none came after it. */
  readonly trendingChanges?: ReadModelChanges;
}
