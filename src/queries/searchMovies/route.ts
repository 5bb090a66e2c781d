import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import type { DatabasePool } from 'slonik';
import { invalidFields } from '../../infrastructure/http/problem.ts';
import type { QueryDependencies } from '../shared/dependencies.ts';
import { page, toMovieView } from '../shared/movies.ts';
import { decodeSearchCursor, encodeSearchCursor, type After, type Match, type Order, type PageStart } from './cursor.ts';
import { parseSearch, type SearchRequest } from './params.ts';
import { correctQuery } from './correction.ts';
import { searchPage, type Filters, type Matching, type SearchRow } from './query.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { MovieView, consistentRead, exampleCursor, exampleMovie, pageOf } from '../shared/docs.ts';
import { SearchQuery } from './params.ts';

/** The typo-tolerant fallback corrects the query's words; beyond this length that is no typo but noise. */
const maxFuzzyLength = 100;

/**
 * Quotes, `-word` and `or` ask for something precise; a fallback that matched on similar words would
 * bring back what the query excludes, so such queries find what full text finds, or nothing.
 */
const usesOperators = (q: string): boolean => /"|(?:^|\s)-\S|(?:^|\s)or(?:\s|$)/i.test(q);

/**
 * `GET /movies`: the catalogue, searched (`q`, web-search syntax), filtered and sorted, a page at a
 * time. Without `q`, relevance means the rating order. When full text finds nothing for the first
 * page, the query's misspelt words are corrected against the vocabulary of titles and searched again
 * (correction.ts; the cursor remembers which matching it continues).
 */
export const searchMoviesRoute = (router: Router, dependencies: QueryDependencies): void => {
  router.get(
    '/movies',
    documented({
      summary: 'Search, filter and sort the catalogue',
      description:
        '`q` in web-search syntax ("a phrase", -word, or), title matches first; misspelt words are corrected when full text finds nothing. ' +
        'Without `q`, relevance is the rating order.',
      tag: 'movies',
      query: SearchQuery,
      headers: consistentRead,
      answers: {
        200: {
          description: 'A page of movies',
          body: pageOf(MovieView, 'MoviePage'),
          example: { items: [exampleMovie], nextCursor: exampleCursor },
        },
      },
    }),
    dependencies.consistentWith('catalogue', 'ratings'),
    async (ctx) => {
      const parsed = parseSearch({ ...ctx.query });
      if (E.isLeft(parsed)) throw invalidFields(parsed.left);
      const request = parsed.right;
      const order: Order = request.sort === 'relevance' && request.q === undefined ? 'rating' : request.sort;
      const start = request.cursor === undefined ? undefined : decodeSearchCursor(request.cursor, request.fingerprint, order);
      if (request.cursor !== undefined && (start === undefined || (start.match === 'all') !== (request.q === undefined))) {
        throw invalidFields([{ path: 'cursor', message: 'is not a cursor this search gave out' }]);
      }
      const read = async (): Promise<unknown> => {
        const { match, rows } = await search(dependencies.db, request, order, start);
        const items = rows.slice(0, request.limit);
        const last = items[items.length - 1];
        return page(
          items.map(toMovieView),
          rows.length > request.limit && last !== undefined
            ? encodeSearchCursor(request.fingerprint, { match, after: keyOf(order, last) })
            : null,
        );
      };
      if (dependencies.searchResults === undefined) {
        ctx.body = await read();
        return;
      }
      ctx.type = 'application/json';
      ctx.body = await dependencies.searchResults.page(
        JSON.stringify([request.fingerprint, order, request.cursor ?? null, request.limit]),
        read,
      );
    },
  );
};

const search = async (
  db: DatabasePool,
  request: SearchRequest,
  order: Order,
  start: PageStart | undefined,
): Promise<{ match: Match; rows: SearchRow[] }> => {
  const filters: Filters = request;
  const after = start?.after;
  // One row more than the page tells whether there is a next one.
  const wanted = request.limit + 1;
  const q = request.q;
  if (q === undefined) return { match: 'all', rows: await searchPage(db, { matching: { kind: 'all' }, filters, order, after }, wanted) };
  let correction: Promise<Matching | undefined> | undefined;
  if (start?.match !== 'fuzzy') {
    const fuzzy = start === undefined && q.length <= maxFuzzyLength && !usesOperators(q);
    // A typo matches no title: its correction is asked for while the overviews are searched, rather
    // than after (one round trip fewer on the path that makes the most), and only then, so that a
    // query whose titles fill the page pays nothing for it. Its answer is dropped if the overviews match.
    const startCorrection = (): void => {
      correction = correctQuery(db, q);
      correction.catch(() => undefined);
    };
    const rows = await searchPage(
      db,
      { matching: { kind: 'text', text: q }, filters, order, after },
      wanted,
      fuzzy ? startCorrection : undefined,
    );
    if (rows.length > 0 || !fuzzy) return { match: 'text', rows };
  }
  // Each page of the fallback corrects the query again: the same words while the vocabulary is the same.
  const matching = await (correction ?? correctQuery(db, q));
  return { match: 'fuzzy', rows: matching === undefined ? [] : await searchPage(db, { matching, filters, order, after }, wanted) };
};

const keyOf = (order: Order, row: SearchRow): After => {
  switch (order) {
    case 'relevance':
      return { order, tier: row.tier === 0 ? 0 : 1, score: row.score ?? 0, movieId: row.movie_id };
    case 'rating':
      return { order, average: row.rating_average, count: row.rating_count, movieId: row.movie_id };
    case 'year':
      return { order, year: row.sort_year, movieId: row.movie_id };
    case 'title':
      return { order, title: row.sort_title, movieId: row.movie_id };
  }
};
