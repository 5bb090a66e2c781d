import type { Logger } from '../infrastructure/logging/logger.ts';
import { createPool } from '../infrastructure/postgres/pool.ts';
import { createQueryPool } from '../infrastructure/postgres/slonik.ts';
import { refreshSimilarity } from '../projections/cowatch/refresh.ts';
import { recommendationsFor } from '../queries/myRecommendations/query.ts';
import { meanScores, scoreTopK, type TopKScores } from './metrics.ts';
import type { MovieLensData, MovieLensRating } from './movielens.ts';
import { createScratchDatabase } from './scratchDatabase.ts';
import { temporalSplit, type UserSplit } from './split.ts';
import { identities, loadIntoReadModels, movieEvents, ratingEvents } from './trainingData.ts';

export interface ModelScores {
  readonly name: string;
  readonly precisionAt10: number;
  readonly recallAt10: number;
  readonly ndcgAt10: number;
}

export interface Evaluation {
  readonly users: number;
  readonly trainingRatings: number;
  readonly heldOutRatings: number;
  /** How long the similarity refresh took on the training data. */
  readonly similarityRefreshMs: number;
  readonly models: readonly ModelScores[];
}

export const modelName = 'item-knn';
export const baselineName = 'most-popular';
const k = 10;

/**
 * Offline evaluation of the recommendations the API serves. The training part of a per-user temporal
 * split goes, as MovieAdded and MovieRated events at their own times, through the apply functions of
 * the read models the recommendation query reads, in a scratch database; the similarity refresh runs
 * as in the service; then `recommendationsFor`, the function behind GET /me/recommendations, answers
 * for each user. The baseline ranks movies by their number of training ratings. Both leave out the
 * user's training movies; a held-out movie is relevant, whatever its rating.
 */
export const evaluateRecommendations = async (
  data: MovieLensData,
  options: { readonly serverUrl: URL; readonly log: Logger; readonly progress?: (message: string) => void },
): Promise<Evaluation> => {
  const progress = options.progress ?? (() => undefined);
  const splits = temporalSplit(data.ratings);
  const training = splits.flatMap((split) => split.training).sort((a, b) => a.timestamp - b.timestamp || a.userId - b.userId);
  const database = await createScratchDatabase(options.serverUrl, options.log);
  const pool = createPool(database.url, 4, 'eval');
  try {
    progress(`loading ${training.length} training ratings of ${splits.length} users into ${database.url.pathname.slice(1)}`);
    const ids = identities(data);
    await loadIntoReadModels(pool, [...movieEvents(data, ids), ...ratingEvents(training, ids)]);
    progress('computing the similarity tables');
    const refreshed = await refreshSimilarity(pool, { force: true });
    const similarityRefreshMs = refreshed.kind === 'refreshed' ? refreshed.tookMs : 0;
    progress(`recommending for ${splits.length} users`);
    // An offline evaluation may run long queries: a timeout of ten minutes, not the service's seconds.
    const db = await createQueryPool(database.url, 4, 600_000);
    try {
      // The log's "now" is its newest training event: the trending fallback looks at the week before it.
      const now = new Date((training[training.length - 1]?.timestamp ?? 0) * 1000 + 1000);
      const model = await mapConcurrently(splits, 4, async (split) => {
        const picks = await recommendationsFor(db, ids.user(split.userId), { limit: k, now });
        return picks.map((pick) => ids.movieLensId(pick.row.movie_id));
      });
      const baseline = mostPopular(training);
      return {
        users: splits.length,
        trainingRatings: training.length,
        heldOutRatings: splits.reduce((sum, split) => sum + split.heldOut.length, 0),
        similarityRefreshMs,
        models: [scoresOf(modelName, splits, (_, index) => model[index] ?? []), scoresOf(baselineName, splits, (split) => baseline(split))],
      };
    } finally {
      await db.end();
    }
  } finally {
    await pool.end();
    await database.drop();
  }
};

const scoresOf = (
  name: string,
  splits: readonly UserSplit[],
  ranked: (split: UserSplit, index: number) => readonly number[],
): ModelScores => {
  const perUser: TopKScores[] = splits.map((split, index) =>
    scoreTopK(ranked(split, index), new Set(split.heldOut.map((rating) => rating.movieId)), k),
  );
  const mean = meanScores(perUser);
  return { name, precisionAt10: mean.precision, recallAt10: mean.recall, ndcgAt10: mean.ndcg };
};

/** Movies by their number of training ratings (then by id), the user's own training movies left out. */
const mostPopular = (training: readonly MovieLensRating[]) => {
  const counts = new Map<number, number>();
  for (const rating of training) counts.set(rating.movieId, (counts.get(rating.movieId) ?? 0) + 1);
  const ranked = [...counts].sort(([a, ca], [b, cb]) => cb - ca || a - b).map(([movieId]) => movieId);
  return (split: UserSplit): number[] => {
    const seen = new Set(split.training.map((rating) => rating.movieId));
    const picks: number[] = [];
    for (const movieId of ranked) {
      if (picks.length === k) break;
      if (!seen.has(movieId)) picks.push(movieId);
    }
    return picks;
  };
};

const mapConcurrently = async <In, Out>(inputs: readonly In[], concurrency: number, work: (input: In) => Promise<Out>): Promise<Out[]> => {
  const results: Out[] = new Array<Out>(inputs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const index = next++;
      results[index] = await work(inputs[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
  return results;
};
