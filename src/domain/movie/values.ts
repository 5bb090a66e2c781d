import * as t from 'io-ts';
import { textCodec } from '../shared/text.ts';

// The catalogue's vocabulary for a movie.

export const genres = [
  'action',
  'adventure',
  'animation',
  'comedy',
  'crime',
  'documentary',
  'drama',
  'family',
  'fantasy',
  'film-noir',
  'history',
  'horror',
  'music',
  'mystery',
  'romance',
  'science-fiction',
  'thriller',
  'tv-movie',
  'war',
  'western',
] as const;
/** A genre as the catalogue stores and answers it: one canonical, lower-case spelling. */
export const Genre = t.keyof(Object.fromEntries(genres.map((genre) => [genre, null])) as Record<(typeof genres)[number], null>, 'Genre');
export type Genre = t.TypeOf<typeof Genre>;

/**
 * The names other catalogues give the same genres (MovieLens, TMDB), once folded by `genreKey`; null
 * for a name that is no genre (IMAX is a screen format), which is accepted and left out, as the
 * MovieLens importer does.
 */
const genreAliases: Readonly<Record<string, Genre | null>> = {
  'sci-fi': 'science-fiction',
  scifi: 'science-fiction',
  children: 'family',
  "children's": 'family',
  kids: 'family',
  musical: 'music',
  noir: 'film-noir',
  historical: 'history',
  imax: null,
};

/** "Science Fiction", "science_fiction" and "SCIENCE-FICTION" are one key: lower case, words joined by "-". */
const genreKey = (name: string): string =>
  name
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/\u2019/g, "'")
    .replace(/[\s_-]+/g, '-');

const canonical: ReadonlySet<string> = new Set(genres);
const isGenre = (key: string): key is Genre => canonical.has(key);

/** The catalogue's genre for a name as people write it, null for a name that is no genre, undefined for an unknown one. */
export const genreNamed = (name: string): Genre | null | undefined => {
  const key = genreKey(name);
  // Own keys only: `constructor` or `toString` must be an unknown genre, not Object.prototype's member.
  return isGenre(key) ? key : Object.hasOwn(genreAliases, key) ? genreAliases[key] : undefined;
};

export const genreSpellings = `one of ${genres.join(', ')} in any letter case, or a MovieLens or TMDB name for one (Sci-Fi, Science Fiction, Children's, Film-Noir, Musical, TV Movie; IMAX is left out)`;

/** A genre as a client writes it, decoded to its canonical spelling (null: no genre, see genreAliases). */
export const GenreName = new t.Type<Genre | null, string, unknown>(
  'GenreName',
  (input): input is Genre | null => input === null || Genre.is(input),
  (input, context) => {
    const genre = typeof input === 'string' && input.length <= 40 ? genreNamed(input) : undefined;
    return genre === undefined ? t.failure(input, context, `must be ${genreSpellings}`) : t.success(genre);
  },
  (genre) => genre ?? '',
);

/** The genres of a movie as a client sends them: canonical, each once, in the order given; at most 20 names. */
export const GenreList = new t.Type<Genre[], Genre[], unknown>(
  'GenreList',
  (input): input is Genre[] => Array.isArray(input) && input.every((genre) => Genre.is(genre)),
  (input, context) => {
    if (!Array.isArray(input) || input.length > 20) return t.failure(input, context, 'must be a list of at most 20 genres');
    const errors: t.Errors = [];
    const found: Genre[] = [];
    input.forEach((name: unknown, index) => {
      const decoded = GenreName.validate(name, [...context, { key: String(index), type: GenreName, actual: name }]);
      if (decoded._tag === 'Left') errors.push(...decoded.left);
      else if (decoded.right !== null && !found.includes(decoded.right)) found.push(decoded.right);
    });
    return errors.length > 0 ? t.failures(errors) : t.success(found);
  },
  t.identity,
);

export interface TitleBrand {
  readonly Title: unique symbol;
}
export const Title = textCodec<TitleBrand>('Title', (s) =>
  s.trim().length >= 1 && s.length <= 300 ? undefined : 'must be 1 to 300 characters, not only spaces',
);
export type Title = t.TypeOf<typeof Title>;

export interface YearBrand {
  readonly Year: unique symbol;
}
/** The first films are from the 1870s; a year far ahead is a typo. */
export const Year = t.brand(t.number, (n): n is t.Branded<number, YearBrand> => Number.isInteger(n) && n >= 1870 && n <= 2100, 'Year');
export type Year = t.TypeOf<typeof Year>;

export interface OverviewBrand {
  readonly Overview: unique symbol;
}
export const Overview = textCodec<OverviewBrand>('Overview', (s) => (s.length <= 5_000 ? undefined : 'must be at most 5,000 characters'));
export type Overview = t.TypeOf<typeof Overview>;

export interface RuntimeBrand {
  readonly Runtime: unique symbol;
}
/** Minutes. */
export const Runtime = t.brand(
  t.number,
  (n): n is t.Branded<number, RuntimeBrand> => Number.isInteger(n) && n >= 1 && n <= 1_000,
  'Runtime',
);
export type Runtime = t.TypeOf<typeof Runtime>;

export interface PositiveIdBrand {
  readonly PositiveId: unique symbol;
}
const PositiveId = t.brand(t.number, (n): n is t.Branded<number, PositiveIdBrand> => Number.isSafeInteger(n) && n > 0, 'PositiveId');

export interface ImdbIdBrand {
  readonly ImdbId: unique symbol;
}
const ImdbId = t.brand(t.string, (s): s is t.Branded<string, ImdbIdBrand> => /^tt\d{7,9}$/.test(s), 'ImdbId');

export const externalIdProps = { tmdbId: PositiveId, imdbId: ImdbId, movielensId: PositiveId };
export const ExternalIds = t.exact(t.partial(externalIdProps), 'ExternalIds');
export type ExternalIds = t.TypeOf<typeof ExternalIds>;

export interface SlugBrand {
  readonly Slug: unique symbol;
}
export const Slug = t.brand(
  t.string,
  (s): s is t.Branded<string, SlugBrand> => /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(s) && s.length <= 120,
  'Slug',
);
export type Slug = t.TypeOf<typeof Slug>;

/** "Amélie (2001)" → "amelie-2001": lower case ASCII words joined by dashes. */
export const slugFor = (title: string, year: number | null): string => {
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/, '');
  const base = words === '' ? 'movie' : words;
  return year === null ? base : `${base}-${year}`;
};
