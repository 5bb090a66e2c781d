import * as t from 'io-ts';
import { externalIdProps, GenreList, Overview, Runtime, Title, Year } from '../../domain/movie/values.ts';
import { strictPartial } from '../../infrastructure/codecs/strict.ts';

/** Any of the details, at least one; the slug is not among them (links stay stable). */
export const ChangeMovieDetailsRequest = strictPartial(
  {
    title: Title,
    year: t.union([Year, t.null]),
    genres: GenreList,
    overview: Overview,
    runtime: t.union([Runtime, t.null]),
    externalIds: strictPartial(externalIdProps, 'ExternalIds'),
  },
  'ChangeMovieDetailsRequest',
);
