import { decodeCursor, encodeCursor } from '../shared/movies.ts';

// The keyset a page ends at. A cursor carries how the search matched (full text, or the typo-tolerant
// fallback), the fingerprint of the search that made it, and the last row's sort key and movie id,
// so the next page continues strictly after that row whatever was added meanwhile.

/** How movies were matched: every movie (no q), full text, or trigram similarity of the title. */
export type Match = 'all' | 'text' | 'fuzzy';

export type After =
  /** `tier` 0: the title matches the query; 1: only the genres or overview do (fuzzy: always 0). */
  | { readonly order: 'relevance'; readonly tier: 0 | 1; readonly score: number; readonly movieId: string }
  /** `average` null: past the rated movies, among the unrated ones. */
  | { readonly order: 'rating'; readonly average: number | null; readonly count: number; readonly movieId: string }
  /** `year` 0 for a movie of unknown year (they come last). */
  | { readonly order: 'year'; readonly year: number; readonly movieId: string }
  | { readonly order: 'title'; readonly title: string; readonly movieId: string };

export type Order = After['order'];

export interface PageStart {
  readonly match: Match;
  readonly after: After;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const encodeSearchCursor = (fingerprint: string, start: PageStart): string => {
  const { match, after } = start;
  switch (after.order) {
    case 'relevance':
      return encodeCursor([match, fingerprint, after.order, after.tier, after.score, after.movieId]);
    case 'rating':
      return encodeCursor([match, fingerprint, after.order, after.average, after.count, after.movieId]);
    case 'year':
      return encodeCursor([match, fingerprint, after.order, after.year, after.movieId]);
    case 'title':
      return encodeCursor([match, fingerprint, after.order, after.title, after.movieId]);
  }
};

/** The page start a cursor names, or undefined for one this search did not give out. */
export const decodeSearchCursor = (cursor: string, fingerprint: string, order: Order): PageStart | undefined => {
  const values = decodeCursor(cursor);
  if (values === undefined) return undefined;
  const [match, madeBy, madeFor, ...key] = values;
  if (madeBy !== fingerprint || madeFor !== order || (match !== 'all' && match !== 'text' && match !== 'fuzzy')) return undefined;
  const movieId = key[key.length - 1];
  if (typeof movieId !== 'string' || !uuid.test(movieId)) return undefined;
  const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
  switch (order) {
    case 'relevance': {
      const [tier, score] = key;
      return (tier === 0 || tier === 1) && finite(score) && key.length === 3
        ? { match, after: { order, tier, score, movieId } }
        : undefined;
    }
    case 'rating': {
      const [average, count] = key;
      return (average === null || finite(average)) && finite(count) && key.length === 3
        ? { match, after: { order, average, count, movieId } }
        : undefined;
    }
    case 'year': {
      const [year] = key;
      return finite(year) && key.length === 2 ? { match, after: { order, year, movieId } } : undefined;
    }
    case 'title': {
      const [title] = key;
      return typeof title === 'string' && key.length === 2 ? { match, after: { order, title, movieId } } : undefined;
    }
  }
};
