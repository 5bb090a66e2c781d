import type { CommonQueryMethods } from 'slonik';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Matching } from './query.ts';

// The typo-tolerant fallback of GET /movies: each word of the query that no title holds is corrected
// against the vocabulary of title words (the catalogue read model's title_words: each word and how many
// titles hold it), then the corrected words are searched in full text like any query. What is compared
// is the vocabulary, through its indexes, never the titles: "theif" compared with every title holding a
// word that begins "the" took seconds on 1,000,000 movies.
//
// A word is corrected, first, into the vocabulary words one edit away (a letter left out, added,
// changed, or two swapped: some 350 spellings of a six-letter word, each looked up by the primary key);
// failing those, by pg_trgm's "did you mean" (`word % typed` through the trigram index, by similarity,
// then by how many titles hold the word). Trigrams alone serve short words badly: a swap in a
// five-letter word leaves two of six trigrams ("theif" and "thief": 0.2), so "theft", "theme" and
// every "th" word of four letters come first, and "matirx" is as close to "mariatin" (0.23) as to
// "matrix" (0.27).

/**
 * pg_trgm's own default for `%`, also checked as written, so that a server configured otherwise
 * offers nothing less alike: below it, words share too little to be taken for one another.
 */
const threshold = 0.3;

/**
 * Spellings searched for one word (`thief | thieves`), the likeliest first: full text ranks the
 * movies they find against one another.
 */
const spellingsPerWord = 3;

/** Trigram candidates this much less alike than the best one are not offered beside it. */
const nearBest = 0.05;

/**
 * The longest word the fallback sees (the route corrects queries of at most 100 characters). The
 * positions of a word's edits count up to it and stop at the word's length, not to `length(word)`:
 * the planner takes a generate_series it cannot see the end of for 1,000 rows, costed this
 * statement in millions and had it JIT-compiled for 2 s, where it runs in 2 ms.
 */
const longestWord = 100;

/** Every spelling one edit away from `word`: a letter left out, two swapped, one changed, one added. */
const oneEditFrom = (word: ReturnType<typeof sql.fragment>) => {
  const positions = (last: ReturnType<typeof sql.fragment>) => sql.fragment`generate_series(1, ${longestWord + 1}) AS i WHERE i <= ${last}`;
  // a–z and the word's own letters (é, ß…); not regexp_split_to_table, whose first call in a session
  // took a second here (PostgreSQL's regex engine readies its Unicode character classes).
  const letters = sql.fragment`(SELECT chr(code) FROM generate_series(97, 122) code
                                UNION SELECT substr(${word}, j, 1) FROM generate_series(1, ${longestWord}) j WHERE j <= length(${word}))`;
  return sql.fragment`
    SELECT overlay(${word} PLACING '' FROM i FOR 1) FROM ${positions(sql.fragment`length(${word})`)}
    UNION SELECT overlay(${word} PLACING substr(${word}, i + 1, 1) || substr(${word}, i, 1) FROM i FOR 2)
            FROM ${positions(sql.fragment`length(${word}) - 1`)}
    UNION SELECT overlay(${word} PLACING l.letter FROM i FOR 1) FROM ${letters} AS l(letter), ${positions(sql.fragment`length(${word})`)}
    UNION SELECT overlay(${word} PLACING l.letter FROM i FOR 0) FROM ${letters} AS l(letter), ${positions(sql.fragment`length(${word}) + 1`)}`;
};

/** SQLSTATE undefined_table: a catalogue without its vocabulary yet. */
const undefinedTable = '42P01';

const Word = z.object({ word: z.string(), known: z.boolean(), spellings: z.array(z.string()) });

/**
 * The matching the fallback searches for `text`: its words, each as typed when a title holds it, else
 * as corrected. Undefined when nothing could be corrected (the search would be the one that found
 * nothing), or when the catalogue has no vocabulary yet (built by version 2, and no catalogue event
 * since the upgrade). A query of stop words only ("Up", "It") matches a title that is exactly the query.
 * One statement: on a busy machine each round trip costs more than the correction itself.
 */
export const correctQuery = async (db: CommonQueryMethods, text: string): Promise<Matching | undefined> => {
  // The query's words as the vocabulary holds a title's (src/projections/catalogue/vocabulary.ts):
  // tokens of the 'simple' configuration, each once, in the order typed, without English stop words.
  // A word's spellings one edit away are an array looked up through the primary key (as a join,
  // the planner hashed the whole vocabulary for them); only when none is a title word does the
  // trigram index answer.
  const words = await db
    .any(
      sql.type(Word)`
    SELECT t.word, v.word IS NOT NULL AS known,
           CASE WHEN v.word IS NOT NULL THEN '{}'::text[]
                ELSE coalesce(
                  (SELECT (array_agg(c.word ORDER BY similarity(c.word, t.word) DESC, c.titles DESC, c.word))[1:${spellingsPerWord}]
                     FROM rm_catalogue.title_words c
                    WHERE c.word = ANY (ARRAY(${oneEditFrom(sql.fragment`t.word`)}))),
                  ARRAY(SELECT s.word FROM (
                          SELECT c.word, similarity(c.word, t.word) AS likeness, max(similarity(c.word, t.word)) OVER () AS best
                            FROM rm_catalogue.title_words c
                           WHERE c.word % t.word AND similarity(c.word, t.word) >= ${threshold}
                           ORDER BY likeness DESC, c.titles DESC, c.word
                           LIMIT ${spellingsPerWord}) s
                         WHERE s.likeness >= s.best - ${nearBest}))
           END AS spellings
      FROM (SELECT u.lexeme AS word, u.positions[1] AS place
              FROM unnest(to_tsvector('simple', ${text})) AS u
             WHERE ts_lexize('english_stem', u.lexeme) <> '{}') t
      LEFT JOIN rm_catalogue.title_words v ON v.word = t.word
     ORDER BY t.place`,
    )
    .catch((error: unknown) => {
      if (error instanceof Error && 'code' in error && error.code === undefinedTable) return undefined;
      throw error;
    });
  if (words === undefined) return undefined;
  if (words.length === 0) return { kind: 'title', title: text.toLowerCase() };
  if (!words.some((word) => word.spellings.length > 0)) return undefined;
  return { kind: 'corrected', words: words.map((word) => (word.spellings.length > 0 ? word.spellings : [word.word])) };
};
