import * as t from 'io-ts';
import { withSchema } from '../../infrastructure/codecs/schemaHints.ts';
import type { RequestHeader } from '../../infrastructure/http/openapi/routeDoc.ts';
import { MovieView } from './movies.ts';

// What the OpenAPI descriptions of query routes share: the list shape, and an example movie.

/** `{ items, nextCursor }` (DESIGN.md): `nextCursor` null on the last page. */
export const pageOf = <C extends t.Mixed>(item: C, name: string) =>
  t.type({ items: t.readonlyArray(item), nextCursor: t.union([t.string, t.null]) }, name);

export const consistentRead: readonly RequestHeader[] = ['X-Min-Position'];

export const exampleCursor = 'WzE3MDkyMzg1MDAwMDAsIjBiNmY4YTUyLTNjMWUtNGE4ZS05YTUzLTJmMWM5ZDVlN2IxMCJd';

export const exampleMovie: t.TypeOf<typeof MovieView> = {
  id: '0b6f8a52-3c1e-4a8e-9a53-2f1c9d5e7b10',
  slug: 'heat-1995',
  title: 'Heat',
  year: 1995,
  genres: ['crime', 'thriller'],
  overview: 'A group of bank robbers feel the heat from the police.',
  externalIds: { tmdbId: 949, imdbId: 'tt0113277' },
  rating: {
    average: 4.25,
    count: 4,
    histogram: { '0.5': 0, '1.0': 0, '1.5': 0, '2.0': 0, '2.5': 0, '3.0': 0, '3.5': 1, '4.0': 1, '4.5': 1, '5.0': 1 },
  },
  createdAt: '2024-02-29T20:15:00.000Z',
  updatedAt: '2024-03-01T08:00:00.000Z',
};

export { MovieView };

/** A movie's id or slug as a path names it. */
export const IdOrSlug = withSchema(new t.Type<string>('IdOrSlug', t.string.is, t.string.validate, t.identity), {
  type: 'string',
  maxLength: 200,
  description: 'A movie id (UUID) or slug',
});
