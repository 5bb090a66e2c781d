import { createHash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { textCodec } from '../../domain/shared/text.ts';
import { GenreName, type Genre } from '../../domain/movie/values.ts';
import { fieldErrors, type FieldError } from '../../infrastructure/codecs/decodeErrors.ts';
import { integerInRange, numberInRange } from '../../infrastructure/codecs/fromQueryString.ts';
import { strictPartial } from '../../infrastructure/codecs/strict.ts';
import { schemaLike, withSchema } from '../../infrastructure/codecs/schemaHints.ts';
import { defaultLimit, pageParams } from '../shared/paging.ts';

// `GET /movies` parameters: the query string through an exact codec, then the checks that span
// parameters (a year range that ends before it starts), every failure named in one answer.

/** Longer queries are refused; of those accepted, only the first `searchedWords` words are searched. */
export const maxQueryLength = 10_000;
/** Like the big web search engines, a query is cut to its first 32 words: more cannot narrow a catalogue, only cost. */
export const searchedWords = 32;

interface SearchTextBrand {
  readonly SearchText: unique symbol;
}
const textUpTo = (max: number) =>
  withSchema(
    textCodec<SearchTextBrand>(`text of at most ${max.toLocaleString('en-US')} characters`, (text) =>
      text.length <= max ? undefined : `must be at most ${max.toLocaleString('en-US')} characters`,
    ),
    { type: 'string', maxLength: max },
  );

export const sorts = ['relevance', 'rating', 'year', 'title'] as const;
export type Sort = (typeof sorts)[number];
const SortParam = t.keyof({ relevance: null, rating: null, year: null, title: null }, `one of ${sorts.join(', ')}`);
/** Any spelling GenreName takes; a name that is no genre (IMAX) filters nothing, so it is refused here. */
const GenreParam = schemaLike(
  new t.Type<Genre, string, unknown>(
    'GenreParam',
    (input): input is Genre => GenreName.is(input) && input !== null,
    (input, context) => {
      const decoded = GenreName.validate(input, context);
      if (decoded._tag === 'Left') return decoded;
      return decoded.right === null ? t.failure(input, context, 'is a screen format, not a genre') : t.success(decoded.right);
    },
    String,
  ),
  GenreName,
  {},
);
const YearParam = integerInRange(1870, 2100);

export const SearchQuery = strictPartial(
  {
    q: textUpTo(maxQueryLength),
    genre: GenreParam,
    yearFrom: YearParam,
    yearTo: YearParam,
    minRating: numberInRange(0.5, 5),
    sort: SortParam,
    ...pageParams,
  },
  'SearchQuery',
);

export interface SearchRequest {
  /** Trimmed and cut to its first words; undefined when nothing was asked. */
  readonly q: string | undefined;
  readonly genre: Genre | undefined;
  readonly yearFrom: number | undefined;
  readonly yearTo: number | undefined;
  readonly minRating: number | undefined;
  readonly sort: Sort;
  readonly cursor: string | undefined;
  readonly limit: number;
  /** Names the search (everything but the page), so a cursor is only honoured by the search that made it. */
  readonly fingerprint: string;
}

export const parseSearch = (query: Record<string, unknown>): E.Either<FieldError[], SearchRequest> => {
  const decoded = SearchQuery.decode(query);
  if (E.isLeft(decoded)) return E.left(withYearRange(fieldErrors(decoded.left), query));
  const { q, genre, yearFrom, yearTo, minRating, sort = 'relevance', cursor, limit = defaultLimit } = decoded.right;
  const rangeErrors = withYearRange([], query);
  if (rangeErrors.length > 0) return E.left(rangeErrors);
  const words = (q ?? '').trim().split(/\s+/).filter(Boolean).slice(0, searchedWords);
  const text = words.length === 0 ? undefined : words.join(' ');
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([text ?? null, genre ?? null, yearFrom ?? null, yearTo ?? null, minRating ?? null, sort]))
    .digest('base64url')
    .slice(0, 12);
  return E.right({ q: text, genre, yearFrom, yearTo, minRating, sort, cursor, limit, fingerprint });
};

/** A range that ends before it starts names both ends (once each, whatever else failed). */
const withYearRange = (errors: FieldError[], query: Record<string, unknown>): FieldError[] => {
  const from = YearParam.decode(query.yearFrom);
  const to = YearParam.decode(query.yearTo);
  if (E.isLeft(from) || E.isLeft(to) || from.right <= to.right) return errors;
  const named = new Set(errors.map((error) => error.path));
  return [
    ...errors,
    ...(named.has('yearFrom') ? [] : [{ path: 'yearFrom', message: `is after yearTo (${to.right})` }]),
    ...(named.has('yearTo') ? [] : [{ path: 'yearTo', message: `is before yearFrom (${from.right})` }]),
  ];
};
