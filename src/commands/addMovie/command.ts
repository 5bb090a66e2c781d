import * as t from 'io-ts';
import { externalIdProps, GenreList, Overview, Runtime, Slug, Title, Year } from '../../domain/movie/values.ts';
import { strictPartial, strictWithOptional } from '../../infrastructure/codecs/strict.ts';

export const AddMovieRequest = strictWithOptional(
  { title: Title, year: t.union([Year, t.null]), genres: GenreList, overview: Overview },
  { runtime: t.union([Runtime, t.null]), externalIds: strictPartial(externalIdProps, 'ExternalIds'), slug: Slug },
  'AddMovieRequest',
);
export type AddMovieRequest = t.TypeOf<typeof AddMovieRequest>;
