import { readFileSync } from 'node:fs';
import type { DomainEvent } from '../../domain/events.ts';
import type { RecordedEvent } from '../../infrastructure/eventStore/eventRegistry.ts';
import type { Projection } from '../runtime/projection.ts';
import type { Statement } from '../runtime/statements.ts';
import { countTitleWords, upgradeStatement, vocabularySchema } from './vocabulary.ts';

type CatalogueEvent = Extract<DomainEvent, { type: 'MovieAdded' | 'MovieDetailsChanged' | 'MovieArchived' }>;

const document = `setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', array_to_string(genres, ' ')), 'B') || setweight(to_tsvector('english', overview), 'C')`;

/** Movies as the catalogue shows them; times are when the events happened. */
export const catalogue: Projection = {
  name: 'catalogue',
  // 2: the index of archived movies. 3: the vocabulary of title words (vocabulary.ts), and no trigram
  // index on the titles any more (a rebuild drops it from a catalogue built before; until then it is only kept up).
  version: 3,
  eventTypes: ['MovieAdded', 'MovieDetailsChanged', 'MovieArchived'],
  schema: `${readFileSync(new URL('./schema.sql', import.meta.url), 'utf8')}\n${vocabularySchema}`,
  statements: (events) => {
    // Additions in one statement (the bulk of an import); changes in order, one by one (rare).
    const added = events.filter((event): event is RecordedEvent<DomainEvent> & { type: 'MovieAdded' } => event.type === 'MovieAdded');
    const statements = [upgradeStatement, ...(added.length > 0 ? [addMovies(added)] : [])];
    for (const event of events) {
      if (event.type === 'MovieDetailsChanged' || event.type === 'MovieArchived') statements.push(...change(event));
    }
    return statements;
  },
};

/** The movies, and the words of the titles of those actually inserted (a replayed addition inserts nothing). */
const addMovies = (events: readonly (RecordedEvent<DomainEvent> & { type: 'MovieAdded' })[]): Statement =>
  countTitleWords(
    'SELECT title, 1 FROM added',
    [
      JSON.stringify(
        events.map((event) => ({
          id: event.data.movieId,
          slug: event.data.slug,
          title: event.data.title,
          year: event.data.year,
          genres: event.data.genres,
          overview: event.data.overview,
          runtime: event.data.runtime,
          external_ids: event.data.externalIds,
          at: event.metadata.occurredAt,
        })),
      ),
    ],
    `added AS (
       INSERT INTO movies (movie_id, slug, title, year, genres, overview, runtime, external_ids, created_at, updated_at, search)
       SELECT m.id, m.slug, m.title, m.year, m.genres, m.overview, m.runtime, m.external_ids, m.at, m.at, ${document.replace(/title|genres|overview/g, (c) => `m.${c}`)}
         FROM jsonb_to_recordset($1::jsonb) AS m(id uuid, slug text, title text, year integer, genres text[], overview text, runtime integer, external_ids jsonb, at timestamptz)
       ON CONFLICT (movie_id) DO NOTHING
       RETURNING title),`,
  );

const change = (event: RecordedEvent<CatalogueEvent>): Statement[] => {
  if (event.type === 'MovieArchived') {
    return [
      // Read before the flag is set: only a movie not archived yet gives its words back.
      countTitleWords('SELECT title, -1 FROM movies WHERE movie_id = $1 AND NOT archived', [event.data.movieId]),
      {
        text: 'UPDATE movies SET archived = true, updated_at = $2 WHERE movie_id = $1',
        values: [event.data.movieId, event.metadata.occurredAt],
      },
    ];
  }
  if (event.type !== 'MovieDetailsChanged') return [];
  const { movieId, title, year, genres, overview, runtime, externalIds } = event.data;
  // Read before the title changes: the old title's words out, the new one's in (an archived movie counts in neither).
  const retitled =
    title === undefined
      ? []
      : [
          countTitleWords(
            'SELECT title, -1 FROM movies WHERE movie_id = $1 AND NOT archived UNION ALL SELECT $2, 1 FROM movies WHERE movie_id = $1 AND NOT archived',
            [movieId, title],
          ),
        ];
  return [
    ...retitled,
    {
      text: `UPDATE movies SET
       title = coalesce($2, title),
       year = CASE WHEN $3 THEN $4::integer ELSE year END,
       genres = coalesce($5, genres),
       overview = coalesce($6, overview),
       runtime = CASE WHEN $7 THEN $8::integer ELSE runtime END,
       external_ids = coalesce($9, external_ids),
       updated_at = $10
     WHERE movie_id = $1`,
      values: [
        movieId,
        title ?? null,
        year !== undefined,
        year ?? null,
        genres ?? null,
        overview ?? null,
        runtime !== undefined,
        runtime ?? null,
        externalIds === undefined ? null : JSON.stringify(externalIds),
        event.metadata.occurredAt,
      ],
    },
    { text: `UPDATE movies SET search = ${document} WHERE movie_id = $1`, values: [movieId] },
  ];
};
