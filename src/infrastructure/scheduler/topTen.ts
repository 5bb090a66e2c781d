import type { DatabasePool } from 'slonik';
import { recommendationsFor } from '../../queries/myRecommendations/query.ts';
import type { TopTen } from '../../reactors/recommendationsPush/topTen.ts';

/**
 * The reactors' view of a user's top ten: the very computation `GET /me/recommendations?limit=10`
 * answers with (without the API's in-memory trending list, which gives the same movies), so that
 * what is pushed is what the client then reads. Ranked on the live read models: the API reads the
 * trending snapshot's lists instead only while those read models have not changed since it, or for a
 * request without X-Min-Position.
 */
export const topTenOf =
  (db: DatabasePool, clock: () => Date = () => new Date()): TopTen =>
  async (userId) =>
    (await recommendationsFor(db, userId, { limit: 10, now: clock() })).map((pick) => pick.row.movie_id);
