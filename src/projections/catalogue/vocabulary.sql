-- The vocabulary of the titles: every word of a title not archived (lower case, unstemmed, stop words
-- left out: vocabulary.ts says how a title is split) and how many such titles hold it; a word no
-- title holds any more has no row. The typo-tolerant fallback of GET /movies
-- corrects a misspelt word against it (pg_trgm's "did you mean": `word % 'matirx'` through the trigram
-- index, by similarity then frequency), then searches the corrected words in full text: a few tens of
-- thousands of words to compare with, where comparing with the titles meant a million.
CREATE TABLE title_words (
  word   text    PRIMARY KEY,
  titles integer NOT NULL CHECK (titles > 0)
);
CREATE INDEX title_words_trigrams ON title_words USING gin (word public.gin_trgm_ops);
