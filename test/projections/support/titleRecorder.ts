import { randomUUID } from 'node:crypto';
import type { EventToAppend } from '../../../src/infrastructure/eventStore/eventStore.ts';
import type { Projection } from '../../../src/projections/runtime/projection.ts';

// A small projection for runtime and rebuild specs: it records the title (after its `<name> ` prefix)
// of each movie whose title starts with its name, so that specs sharing a database never see each
// other's events, and a movie applied twice would break the key.

export const movieAdded = (title: string): EventToAppend => ({
  eventId: randomUUID(),
  type: 'MovieAdded',
  schemaVersion: 1,
  data: {
    movieId: randomUUID(),
    slug: `s-${randomUUID().slice(0, 8)}`,
    title,
    year: 2000,
    genres: [],
    overview: '',
    runtime: null,
    externalIds: {},
  },
  metadata: { occurredAt: new Date().toISOString(), actorId: null, correlationId: 'c', causationId: null },
});

export interface RecorderOptions {
  /** The title (after the prefix) that fails to apply… */
  readonly poison?: string;
  /** …while this says so (always, when not given). */
  readonly broken?: { readonly now: boolean };
  readonly version?: number;
}

export const titleRecorder = (name: string, options: RecorderOptions = {}): Projection => ({
  name,
  version: options.version ?? 1,
  eventTypes: ['MovieAdded'],
  schema:
    "CREATE TABLE seen (movie_id uuid PRIMARY KEY, title text NOT NULL); CREATE INDEX seen_by_title ON seen USING gin (to_tsvector('simple', title))",
  statements: (events) =>
    events.flatMap((event) => {
      if (event.type !== 'MovieAdded' || !event.data.title.startsWith(`${name} `)) return [];
      const title = event.data.title.slice(name.length + 1);
      if (title === options.poison && (options.broken?.now ?? true)) throw new Error(`cannot apply ${title}`);
      return [{ text: 'INSERT INTO seen (movie_id, title) VALUES ($1, $2)', values: [event.data.movieId, title] }];
    }),
});
