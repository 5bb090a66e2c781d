import type { MovieLensRating } from './movielens.ts';

export interface UserSplit {
  readonly userId: number;
  /** Oldest first. */
  readonly training: readonly MovieLensRating[];
  readonly heldOut: readonly MovieLensRating[];
}

/**
 * The per-user temporal split: each user's ratings sorted by time (then movie id, so that equal
 * timestamps split the same way every run), the latest 20%, rounded, at least one, held out.
 */
export const temporalSplit = (ratings: readonly MovieLensRating[], heldOutShare = 0.2): UserSplit[] => {
  const byUser = new Map<number, MovieLensRating[]>();
  for (const rating of ratings) {
    const list = byUser.get(rating.userId);
    if (list === undefined) byUser.set(rating.userId, [rating]);
    else list.push(rating);
  }
  return [...byUser]
    .sort(([a], [b]) => a - b)
    .map(([userId, list]) => {
      list.sort((a, b) => a.timestamp - b.timestamp || a.movieId - b.movieId);
      const heldOut = Math.max(1, Math.round(list.length * heldOutShare));
      return { userId, training: list.slice(0, list.length - heldOut), heldOut: list.slice(list.length - heldOut) };
    });
};
