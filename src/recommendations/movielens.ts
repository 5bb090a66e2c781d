import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse';

// The two MovieLens files an evaluation needs, read as they are: `movies.csv` (movieId,title,genres)
// and `ratings.csv` (userId,movieId,rating,timestamp, seconds since the epoch).

export interface MovieLensMovie {
  readonly movieId: number;
  readonly title: string;
}

export interface MovieLensRating {
  readonly userId: number;
  readonly movieId: number;
  readonly score: number;
  /** Seconds since the epoch. */
  readonly timestamp: number;
}

export interface MovieLensData {
  readonly movies: readonly MovieLensMovie[];
  readonly ratings: readonly MovieLensRating[];
  /** Rows that could not be read, with file and line. */
  readonly rejected: readonly string[];
}

const rows = async function* (path: string): AsyncGenerator<{ readonly line: number; readonly row: Record<string, string> }> {
  const parser = parse({ columns: true, skip_empty_lines: true, relax_column_count: true, info: true });
  // A file that cannot be read fails the iteration rather than the process.
  createReadStream(path)
    .on('error', (error) => parser.destroy(error))
    .pipe(parser);
  for await (const record of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    yield { line: record.info.lines, row: record.record };
  }
};

const positiveInteger = (text: string | undefined): number | undefined =>
  text !== undefined && /^\d{1,15}$/.test(text) && Number(text) > 0 ? Number(text) : undefined;

export const readMovieLens = async (dir: string): Promise<MovieLensData> => {
  const rejected: string[] = [];
  const movies: MovieLensMovie[] = [];
  for await (const { line, row } of rows(join(dir, 'movies.csv'))) {
    const movieId = positiveInteger(row.movieId);
    if (movieId === undefined) rejected.push(`movies.csv:${line}: movieId is not a positive integer`);
    else movies.push({ movieId, title: row.title ?? '' });
  }
  const ratings: MovieLensRating[] = [];
  for await (const { line, row } of rows(join(dir, 'ratings.csv'))) {
    const userId = positiveInteger(row.userId);
    const movieId = positiveInteger(row.movieId);
    const score = Number(row.rating);
    const timestamp = Number(row.timestamp);
    if (userId === undefined || movieId === undefined) rejected.push(`ratings.csv:${line}: userId and movieId must be positive integers`);
    else if (!(score >= 0.5 && score <= 5 && Number.isInteger(score * 2)))
      rejected.push(`ratings.csv:${line}: rating must be 0.5 to 5 in halves`);
    else if (row.timestamp === undefined || !/^\d{1,12}$/.test(row.timestamp))
      rejected.push(`ratings.csv:${line}: timestamp must be seconds`);
    else ratings.push({ userId, movieId, score, timestamp });
  }
  return { movies, ratings, rejected };
};
