import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { Uuid } from '../../domain/shared/codecs.ts';
import { CursorAverage, CursorCount, CursorScore, CursorTitle, CursorYear } from '../shared/cursors.ts';
import { decodeCursor, encodeCursor } from '../shared/movies.ts';

// The keyset a page ends at. A cursor carries how the search matched (full text, or the typo-tolerant
// fallback), the fingerprint of the search that made it, and the last row's sort key and movie id,
// so the next page continues strictly after that row whatever was added meanwhile.

/** How movies were matched: every movie (no q), full text, or full text of the query's words corrected against the titles' vocabulary (correction.ts). */
export type Match = 'all' | 'text' | 'fuzzy';

export type After =
  /** `tier` 0: the title matches the query; 1: only the genres or overview do. */
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

/** How it matched and the search that made it; then the order, and the last row's key in that order. */
const Made = t.tuple([t.keyof({ all: null, text: null, fuzzy: null }), t.string]);
const keys = {
  relevance: t.tuple([t.literal('relevance'), t.union([t.literal(0), t.literal(1)]), CursorScore, Uuid]),
  rating: t.tuple([t.literal('rating'), CursorAverage, CursorCount, Uuid]),
  year: t.tuple([t.literal('year'), CursorYear, Uuid]),
  title: t.tuple([t.literal('title'), CursorTitle, Uuid]),
};

/** The page start a cursor names, or undefined for one this search did not give out. */
export const decodeSearchCursor = (cursor: string, fingerprint: string, order: Order): PageStart | undefined => {
  const values = decodeCursor(cursor);
  if (values === undefined) return undefined;
  const made = Made.decode(values.slice(0, 2));
  const after = afterOf(values.slice(2), order);
  return E.isRight(made) && made.right[1] === fingerprint && after !== undefined ? { match: made.right[0], after } : undefined;
};

const afterOf = (key: unknown[], order: Order): After | undefined => {
  const decoded = <A>(codec: t.Type<A, unknown, unknown>): A | undefined => {
    const result = codec.decode(key);
    return E.isRight(result) ? result.right : undefined;
  };
  switch (order) {
    case 'relevance': {
      const k = decoded(keys.relevance);
      return k && { order, tier: k[1], score: k[2], movieId: k[3] };
    }
    case 'rating': {
      const k = decoded(keys.rating);
      return k && { order, average: k[1], count: k[2], movieId: k[3] };
    }
    case 'year': {
      const k = decoded(keys.year);
      return k && { order, year: k[1], movieId: k[2] };
    }
    case 'title': {
      const k = decoded(keys.title);
      return k && { order, title: k[1], movieId: k[2] };
    }
  }
};
