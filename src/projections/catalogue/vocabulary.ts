import { readFileSync } from 'node:fs';
import type { Statement } from '../runtime/statements.ts';

// The vocabulary of the titles (vocabulary.sql): each word of the titles not archived and how many of
// them hold it, kept exact in the same statements as the movies it counts, so that a rebuild makes it
// again with them. A title's words are its tokens as the 'simple' text-search configuration gives
// them (the parser the 'english' search document uses, lower-cased, not stemmed: a misspelling is
// closest to the word as typed, not to its stem), each once, without the English stop words (a typo
// corrected into "the" would find nothing: full text leaves stop words out).

export const vocabularySchema = readFileSync(new URL('./vocabulary.sql', import.meta.url), 'utf8');

/** `FROM` items giving `w.word` for each vocabulary word of `title` (an SQL expression). */
const wordsOf = (title: string): string => `CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector('simple', ${title}))) AS w(word)`;
const notStopWord = `ts_lexize('english_stem', w.word) <> '{}'`;

/**
 * Adds the words of the titles `source` selects (columns `title`, `n`: +1 for a title that now counts,
 * -1 for one that no longer does) to their counts: one statement whatever the number of titles. Counts
 * that go down are updated, or deleted at 0; counts that go up are upserted (apart: the check below
 * is tested on the row an upsert proposes, before it finds the conflict). Rows never hold 0 or less:
 * vocabulary.sql's check refuses a count gone wrong, stopping the projection rather than serving it.
 * `before` are CTEs the source reads (the insertion of the movies themselves).
 */
export const countTitleWords = (source: string, values: readonly unknown[], before = ''): Statement => ({
  text: `WITH ${before}
     delta AS (
       SELECT w.word, sum(t.n)::integer AS n
         FROM (${source}) AS t(title, n) ${wordsOf('t.title')}
        WHERE ${notStopWord}
        GROUP BY w.word HAVING sum(t.n) <> 0),
     gone AS (DELETE FROM title_words v USING delta d WHERE d.n < 0 AND v.word = d.word AND v.titles + d.n = 0),
     fewer AS (UPDATE title_words v SET titles = v.titles + d.n FROM delta d WHERE d.n < 0 AND v.word = d.word AND v.titles + d.n <> 0)
   INSERT INTO title_words AS v (word, titles)
   SELECT d.word, d.n FROM delta d WHERE d.n > 0
   ON CONFLICT (word) DO UPDATE SET titles = v.titles + excluded.titles`,
  values,
});

/** The vocabulary counted from the catalogue table itself: what the statements above keep it equal to (tests compare). */
export const recountedVocabulary = `SELECT w.word, count(*)::integer AS titles FROM movies m ${wordsOf('m.title')}
   WHERE NOT m.archived AND ${notStopWord} GROUP BY w.word`;

/**
 * A catalogue built by version 2 of the projection has no vocabulary: the first batch after the upgrade
 * makes it, from the movies as they stand, before its own statements count into it. The live read model
 * so keeps applying events, exact, until an operator rebuilds it (which a version change asks for); on
 * tables made from the current DDL this is one look at the catalog. Dollar-quoted: the DDL holds quotes.
 */
export const upgradeStatement: Statement = {
  text: `DO $upgrade$ BEGIN
     IF to_regclass('title_words') IS NULL THEN
       EXECUTE $ddl$${vocabularySchema}$ddl$;
       INSERT INTO title_words (word, titles) ${recountedVocabulary};
     END IF;
   END $upgrade$`,
};
