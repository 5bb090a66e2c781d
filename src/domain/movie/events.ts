import * as t from 'io-ts';
import { Uuid } from '../shared/codecs.ts';
import { defineEvent, type EventOf } from '../shared/eventDefinition.ts';
import { ExternalIds, Genre, Overview, Runtime, Slug, Title, Year } from './values.ts';

// A movie's stream, `movie-<movieId>`. Archiving is a soft delete: the movie leaves the catalogue,
// its history (and every rating of it) stays in the log.

export const MovieAdded = defineEvent(
  'MovieAdded',
  t.type({
    movieId: Uuid,
    slug: Slug,
    title: Title,
    year: t.union([Year, t.null]),
    genres: t.array(Genre),
    overview: Overview,
    runtime: t.union([Runtime, t.null]),
    externalIds: ExternalIds,
  }),
);

/** Only what changed; the slug stays, so links keep working after a title is corrected. */
export const MovieDetailsChanged = defineEvent(
  'MovieDetailsChanged',
  t.intersection([
    t.type({ movieId: Uuid }),
    t.partial({
      title: Title,
      year: t.union([Year, t.null]),
      genres: t.array(Genre),
      overview: Overview,
      runtime: t.union([Runtime, t.null]),
      externalIds: ExternalIds,
    }),
  ]),
);

export const MovieArchived = defineEvent('MovieArchived', t.type({ movieId: Uuid }));

export const movieEvents = [MovieAdded, MovieDetailsChanged, MovieArchived] as const;
export type MovieEvent = EventOf<(typeof movieEvents)[number]>;
export type MovieDetails = Omit<EventOf<typeof MovieAdded>['data'], 'movieId' | 'slug'>;
