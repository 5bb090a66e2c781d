import type { CommonQueryMethods } from 'slonik';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Genre } from '../../domain/movie/values.ts';
import { movieColumns, MovieRow } from '../shared/movies.ts';
import type { After, Order } from './cursor.ts';

// The SQL of `GET /movies`. Every order is a keyset on (sort key, movie_id), read from an index
// where one serves it (schema.sql of the catalogue and ratings read models says which), never OFFSET.
// An order made of parts (title matches before overview matches; rated movies before unrated ones) is
// one query per part, the next run only when the page is not full yet, so a page of broad matches
// never pays for the parts it does not reach.

export interface Filters {
  readonly genre: Genre | undefined;
  readonly yearFrom: number | undefined;
  readonly yearTo: number | undefined;
  readonly minRating: number | undefined;
}

/**
 * How rows are matched: all of them; `websearch_to_tsquery(text)`; the words of a query corrected
 * against the vocabulary of titles (correction.ts), every word matched by one of its spellings; or a
 * title that is exactly `title` (a query of stop words only, which full text cannot see).
 */
export type Matching =
  | { readonly kind: 'all' }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'corrected'; readonly words: readonly (readonly string[])[] }
  | { readonly kind: 'title'; readonly title: string };

type Searched = Extract<Matching, { kind: 'text' | 'corrected' }>;

export const SearchRow = MovieRow.extend({
  score: z.number().nullable(),
  tier: z.number(),
  sort_year: z.number(),
  sort_title: z.string(),
});
export type SearchRow = z.infer<typeof SearchRow>;

type Fragment = ReturnType<typeof sql.fragment>;

/** The tsquery of a full-text matching: a corrected query is each word's spellings or'ed, the words and'ed. */
const tsquery = (matching: Searched): Fragment =>
  matching.kind === 'text'
    ? sql.fragment`websearch_to_tsquery('english', ${matching.text})`
    : sql.fragment`(${sql.join(
        matching.words.map(
          (spellings) =>
            sql.fragment`(${sql.join(
              spellings.map((spelling) => sql.fragment`plainto_tsquery('english', ${spelling})`),
              sql.fragment` || `,
            )})`,
        ),
        sql.fragment` && `,
      )})`;

/**
 * Relevance for full text: ts_rank_cd × (1 + damped average / 10). Multiplying keeps the text match in
 * charge: the factor only runs from 1.05 (0.5 stars) to 1.5 (5 stars), so it reorders movies that
 * match about equally well and cannot lift a one-word overview mention (weight C, 0.2) over a title
 * match (weight A, 1.0). The average is damped towards 3 stars as if every movie had ten more ratings
 * of 3 (a Bayesian average), so one 5-star vote does not outweigh five hundred 4.5s; an unrated movie
 * sits at the neutral 3. Computed in float8 from exact inputs, so a cursor's score compares equal.
 */
const textScore = (matching: Searched): Fragment =>
  sql.fragment`(ts_rank_cd(m.search, ${tsquery(matching)})::float8 * (1 + coalesce(${dampedAverage}, 3)::float8 / 10))`;

/**
 * A subquery rather than a join: a word common in titles matches thousands of movies, and a join made
 * the planner hash every movie's ratings row (a scan of the whole table for each search) where looking
 * up the matches' own rows by key costs a fraction of that.
 */
const dampedAverage = sql.fragment`(SELECT (rated.half_point_sum / 2.0 + 30) / (rated.count + 10) FROM rm_ratings.movie_ratings rated WHERE rated.movie_id = m.movie_id)`;

/** The title alone matches the query: indexed by movies_title_search. */
const titleMatches = (matching: Searched): Fragment => sql.fragment`to_tsvector('english', m.title) @@ ${tsquery(matching)}`;

const filterConditions = (filters: Filters): Fragment[] => [
  sql.fragment`NOT m.archived`,
  ...(filters.genre === undefined ? [] : [sql.fragment`m.genres @> ${sql.array([filters.genre], 'text')}`]),
  // Unknown years count as 0 (they sort last); any year filter leaves them out.
  ...(filters.yearFrom === undefined && filters.yearTo === undefined
    ? []
    : [sql.fragment`coalesce(m.year, 0) BETWEEN ${filters.yearFrom ?? 1} AND ${filters.yearTo ?? 9999}`]),
  ...(filters.minRating === undefined ? [] : [sql.fragment`r.average >= ${filters.minRating}`]),
];

const matchConditions = (matching: Matching): Fragment[] => {
  switch (matching.kind) {
    case 'all':
      return [];
    case 'text':
    case 'corrected':
      // A query of stop words only has no lexemes, one of negations only ("-war") matches nearly
      // everything without the index: both find nothing, decided once before any row is read.
      return [sql.fragment`querytree(${tsquery(matching)}) NOT IN ('', 'T')`, sql.fragment`m.search @@ ${tsquery(matching)}`];
    case 'title':
      // Read through movies_by_title: "Up" or "It" (stop words) by its exact title.
      return [sql.fragment`lower(m.title) = ${matching.title}`];
  }
};

/** One part of an order: its own conditions and ORDER BY, and where a cursor inside it resumes. */
interface Part {
  readonly rated: boolean;
  readonly conditions: readonly Fragment[];
  readonly orderBy: Fragment;
  readonly score: Fragment;
  readonly tier: 0 | 1;
  /** Undefined: the cursor is before this part (start at its beginning); null: after it (skip it). */
  readonly resume: (after: After) => Fragment | null | undefined;
}

const relevanceParts = (matching: Matching): Part[] => {
  // Without a query there is nothing to be relevant to: the route asks for the rating order instead.
  if (matching.kind === 'all') throw new Error('relevance needs a query');
  // Every movie of an exact title matches it equally.
  const score = matching.kind === 'title' ? sql.fragment`1::float8` : textScore(matching);
  const orderBy = sql.fragment`ORDER BY ${score} DESC, m.movie_id DESC`;
  const resumeIn =
    (tier: 0 | 1) =>
    (after: After): Fragment | null | undefined => {
      if (after.order !== 'relevance' || after.tier < tier) return undefined;
      if (after.tier > tier) return null;
      return sql.fragment`(${score}, m.movie_id) < (${after.score}::float8, ${after.movieId}::uuid)`;
    };
  if (matching.kind === 'title')
    return [{ rated: false, conditions: matchConditions(matching), orderBy, score, tier: 0, resume: resumeIn(0) }];
  const [hasLexemes] = matchConditions(matching);
  const inTitle = titleMatches(matching);
  return [
    {
      rated: false,
      // ts_match_vq is @@ spelt as a function: a check on the rows the title index found, not a
      // second index scan that would fetch every overview match just to intersect them.
      conditions: [...(hasLexemes === undefined ? [] : [hasLexemes]), inTitle, sql.fragment`ts_match_vq(m.search, ${tsquery(matching)})`],
      orderBy,
      score,
      tier: 0,
      resume: resumeIn(0),
    },
    {
      rated: false,
      // The title's own lexemes are the weight-A part of the stored vector (the catalogue projection
      // writes the title first, weighted A), so this is `NOT (${inTitle})` without parsing every
      // overview match's title again: a fifth of this part's cost on 10,000 matches.
      conditions: [...matchConditions(matching), sql.fragment`NOT ts_match_vq(ts_filter(m.search, '{a}'), ${tsquery(matching)})`],
      orderBy,
      score,
      tier: 1,
      resume: resumeIn(1),
    },
  ];
};

const parts = (matching: Matching, filters: Filters, order: Order): Part[] => {
  const base = { rated: false, score: sql.fragment`NULL::float8`, tier: 0 as const };
  switch (order) {
    case 'relevance':
      return relevanceParts(matching);
    case 'rating': {
      const rated: Part = {
        ...base,
        rated: true,
        conditions: [...matchConditions(matching), sql.fragment`r.average IS NOT NULL`],
        orderBy: sql.fragment`ORDER BY r.average DESC, r.count DESC, r.movie_id DESC`,
        resume: (after) =>
          after.order !== 'rating'
            ? undefined
            : after.average === null
              ? null
              : sql.fragment`(r.average, r.count, r.movie_id) < (${after.average}::numeric, ${after.count}::integer, ${after.movieId}::uuid)`,
      };
      if (filters.minRating !== undefined) return [rated];
      const unrated: Part = {
        ...base,
        tier: 1,
        conditions: [
          ...matchConditions(matching),
          sql.fragment`NOT EXISTS (SELECT FROM rm_ratings.movie_ratings rated WHERE rated.movie_id = m.movie_id AND rated.average IS NOT NULL)`,
        ],
        orderBy: sql.fragment`ORDER BY m.movie_id DESC`,
        resume: (after) =>
          after.order !== 'rating' || after.average !== null ? undefined : sql.fragment`m.movie_id < ${after.movieId}::uuid`,
      };
      return [rated, unrated];
    }
    case 'year':
      return [
        {
          ...base,
          conditions: matchConditions(matching),
          orderBy: sql.fragment`ORDER BY coalesce(m.year, 0) DESC, m.movie_id DESC`,
          resume: (after) =>
            after.order === 'year'
              ? sql.fragment`(coalesce(m.year, 0), m.movie_id) < (${after.year}::integer, ${after.movieId}::uuid)`
              : undefined,
        },
      ];
    case 'title':
      return [
        {
          ...base,
          conditions: matchConditions(matching),
          orderBy: sql.fragment`ORDER BY lower(m.title), m.movie_id`,
          resume: (after) =>
            after.order === 'title' ? sql.fragment`(lower(m.title), m.movie_id) > (${after.title}, ${after.movieId}::uuid)` : undefined,
        },
      ];
  }
};

/**
 * Up to `limit` movies after `after` in `order`. Relevance with full text reads the title index
 * first; the overview-only matches (often a hundred times as many) only once the title matches run out.
 */
export const searchPage = async (
  db: CommonQueryMethods,
  request: { readonly matching: Matching; readonly filters: Filters; readonly order: Order; readonly after: After | undefined },
  limit: number,
  /** Called once when the first part found nothing and a later one is about to be read. */
  onFirstPartEmpty?: () => void,
): Promise<SearchRow[]> => {
  const { matching, filters, order, after } = request;
  const rows: SearchRow[] = [];
  for (const [index, part] of parts(matching, filters, order).entries()) {
    if (rows.length >= limit) break;
    if (index === 1 && rows.length === 0) onFirstPartEmpty?.();
    const resume = after === undefined ? undefined : part.resume(after);
    if (resume === null) continue;
    const conditions = [...part.conditions, ...filterConditions(filters), ...(resume === undefined ? [] : [resume])];
    const ratings = part.rated
      ? sql.fragment`JOIN rm_ratings.movie_ratings r ON r.movie_id = m.movie_id`
      : sql.fragment`LEFT JOIN rm_ratings.movie_ratings r ON r.movie_id = m.movie_id`;
    // The page's ids are found first and only then its rows read: ranking carries thousands of
    // matches through the sort, and each one carrying its whole row (overview, genres, ids) cost more
    // than the ranking itself. The page keeps its order as numbered on the way out of the sort (the
    // subquery's LIMIT keeps it a subquery, so row_number() counts its rows as ordered), where
    // ordering again by the score would plan and compute it twice more.
    rows.push(
      ...(await db.any(sql.type(SearchRow)`
        WITH page AS MATERIALIZED (
          SELECT ranked.movie_id, ranked.score, row_number() OVER () AS place
            FROM (SELECT m.movie_id, ${part.score} AS score
                    FROM rm_catalogue.movies m ${ratings}
                   WHERE ${sql.join(conditions, sql.fragment` AND `)}
                   ${part.orderBy}
                   LIMIT ${limit - rows.length}) ranked)
        SELECT ${movieColumns}, page.score, ${part.tier}::integer AS tier,
               coalesce(m.year, 0) AS sort_year, lower(m.title) AS sort_title
          FROM page JOIN rm_catalogue.movies m ON m.movie_id = page.movie_id
               LEFT JOIN rm_ratings.movie_ratings r ON r.movie_id = m.movie_id
         ORDER BY page.place`)),
    );
  }
  return rows;
};
