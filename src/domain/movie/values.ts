import * as t from 'io-ts';

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
  'war',
  'western',
] as const;
export const Genre = t.keyof(Object.fromEntries(genres.map((genre) => [genre, null])) as Record<(typeof genres)[number], null>, 'Genre');
export type Genre = t.TypeOf<typeof Genre>;

export interface TitleBrand {
  readonly Title: unique symbol;
}
export const Title = t.brand(t.string, (s): s is t.Branded<string, TitleBrand> => s.trim().length >= 1 && s.length <= 300, 'Title');
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
export const Overview = t.brand(t.string, (s): s is t.Branded<string, OverviewBrand> => s.length <= 5_000, 'Overview');
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
