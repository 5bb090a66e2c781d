import { genreNamed, type Genre } from '../../domain/movie/values.ts';

// MovieLens writes "Matrix, The (1999)": the year in parentheses at the end, a leading article moved
// behind a comma, sometimes an alternative title in parentheses too, and a few titles with no year.

const articles = [
  'The',
  'A',
  'An',
  'Les',
  'La',
  'Le',
  "L'",
  'Il',
  'El',
  'Der',
  'Die',
  'Das',
  'Los',
  'Las',
  'Lo',
  'Un',
  'Une',
  'Det',
  'Den',
];

export interface ParsedTitle {
  readonly title: string;
  readonly year: number | null;
}

export const parseTitle = (raw: string): ParsedTitle => {
  const trimmed = raw.trim();
  // "(1999)" or a series' "(2006–2007)": the first year counts.
  const dated = /^(.*?)\s*\((\d{4})(?:\s*[–-]\s*(?:\d{4})?)?\)$/.exec(trimmed);
  const title = dated?.[1] ?? trimmed;
  const year = dated?.[2] === undefined ? null : Number(dated[2]);
  return { title: restoreArticle(title), year };
};

/** "Matrix, The" → "The Matrix"; "City of Lost Children, The (Cité des enfants perdus, La)" likewise, before the alias. */
const restoreArticle = (title: string): string => {
  const aliased = /^(.*?)(\s+\(.*\))$/.exec(title);
  const main = aliased?.[1] ?? title;
  const alias = aliased?.[2] ?? '';
  const match = /^(.*), (\S+)$/.exec(main);
  const article = match?.[2];
  if (match?.[1] === undefined || article === undefined || !articles.includes(article)) return title;
  return `${article}${article.endsWith("'") ? '' : ' '}${match[1]}${alias}`;
};

/** The catalogue's genres for MovieLens's `A|B|C`; undefined names a genre MovieLens does not have. */
export const mapGenres = (raw: string): { genres: Genre[]; unknown: string[] } => {
  const genres: Genre[] = [];
  const unknown: string[] = [];
  for (const name of raw
    .split('|')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    // MovieLens's placeholder for a movie without genres; every other name is a genre's (genreNamed).
    const mapped = name === '(no genres listed)' ? null : genreNamed(name);
    if (mapped === undefined) unknown.push(name);
    else if (mapped !== null && !genres.includes(mapped)) genres.push(mapped);
  }
  return { genres, unknown };
};
