// Top-k metrics with binary relevance (an item is relevant when it is one of the user's held-out ones).

export interface TopKScores {
  readonly precision: number;
  readonly recall: number;
  readonly ndcg: number;
}

/** precision@k (hits / k), recall@k (hits / relevant) and nDCG@k (log2 discount, ideal = all relevant first). */
export const scoreTopK = <Item>(ranked: readonly Item[], relevant: ReadonlySet<Item>, k: number): TopKScores => {
  if (relevant.size === 0) return { precision: 0, recall: 0, ndcg: 0 };
  let hits = 0;
  let dcg = 0;
  for (const [index, item] of ranked.slice(0, k).entries()) {
    if (!relevant.has(item)) continue;
    hits++;
    dcg += 1 / Math.log2(index + 2);
  }
  let ideal = 0;
  for (let index = 0; index < Math.min(k, relevant.size); index++) ideal += 1 / Math.log2(index + 2);
  return { precision: hits / k, recall: hits / relevant.size, ndcg: dcg / ideal };
};

/** Averages over users. */
export const meanScores = (scores: readonly TopKScores[]): TopKScores => {
  const n = Math.max(1, scores.length);
  return {
    precision: scores.reduce((sum, s) => sum + s.precision, 0) / n,
    recall: scores.reduce((sum, s) => sum + s.recall, 0) / n,
    ndcg: scores.reduce((sum, s) => sum + s.ndcg, 0) / n,
  };
};
