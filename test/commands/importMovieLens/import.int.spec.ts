import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { importMovieLens } from '../../../src/commands/importMovieLens/handler.ts';
import { movieIdFor, userIdFor } from '../../../src/commands/importMovieLens/ids.ts';
import { domainEventDefinitions } from '../../../src/domain/events.ts';
import { eventRegistry } from '../../../src/infrastructure/eventStore/eventRegistry.ts';
import type { StoredEvent } from '../../../src/infrastructure/eventStore/eventStore.ts';
import { openPostgresEventStore, type TestEventStore } from '../../infrastructure/eventStore/postgresTestStore.ts';

// A small data set in the MovieLens format, written by the test itself.
const fixture = {
  'movies.csv': [
    'movieId,title,genres',
    '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy',
    '2,"Matrix, The (1999)",Action|Sci-Fi|Thriller',
    '3,Babylon 5,(no genres listed)',
    '4,Emma (1996),Comedy|Drama|Romance',
    '5,Emma (1996),Romance',
    'six,Broken (2000),Drama',
    '7,Polka Night (2001),Polka|Drama',
    '8,"Unclosed quote (2002),Drama',
  ].join('\n'),
  'links.csv': ['movieId,imdbId,tmdbId', '1,0114709,862', '2,0133093,603', '3,0105946,'].join('\n'),
  'ratings.csv': [
    'userId,movieId,rating,timestamp',
    '1,1,4.0,964982703',
    '1,2,5.0,964981247',
    '2,2,3.5,1445714994',
    '2,1,4.2,1445714995',
    '2,999,4.0,1445714996',
    '3,3,0.5,1445715000',
    'x,1,3.0,1445715001',
  ].join('\n'),
  'tags.csv': [
    'userId,movieId,tag,timestamp',
    '2,2,mind-bending,1445714997',
    '2,2,Mind-Bending,1445714998',
    '4,4,period piece,1445715010',
  ].join('\n'),
};

describe('the MovieLens importer', function () {
  this.timeout(60_000);
  let opened: TestEventStore;
  let directory: string;
  const registry = eventRegistry(domainEventDefinitions);

  before(async () => {
    opened = await openPostgresEventStore();
    directory = await mkdtemp(join(tmpdir(), 'fastflix-movielens-'));
    for (const [name, content] of Object.entries(fixture)) await writeFile(join(directory, name), `${content}\n`);
  });
  after(async () => {
    await opened.close();
    await rm(directory, { recursive: true, force: true });
  });

  const all = async (): Promise<StoredEvent[]> => opened.store.readAll({ maxCount: 10_000 });

  it('imports movies, users, ratings and tags, and reports every rejected row with file and line', async () => {
    const summary = await importMovieLens({ store: opened.store, registry }, directory);
    expect(summary).to.include({ movies: 5, users: 4, ratings: 4, tags: 3 });
    expect(summary.rejected.map((r) => `${r.file}:${r.line}`).sort()).to.deep.equal(
      ['movies.csv:7', 'movies.csv:8', 'movies.csv:9', 'ratings.csv:5', 'ratings.csv:6', 'ratings.csv:8'].sort(),
    );
    expect(summary.rejected.find((r) => r.file === 'movies.csv' && r.line === 8)?.reason).to.match(/Polka/);
    expect(summary.rejected.find((r) => r.file === 'ratings.csv' && r.line === 5)?.reason).to.match(/half stars/);
    expect(summary.rejected.find((r) => r.file === 'ratings.csv' && r.line === 6)?.reason).to.match(/movie 999 is not in movies.csv/);

    const events = await all();
    // A bulk load: reactors notify, broadcast and mail nobody for any of it.
    expect(events.filter((e) => e.metadata.bulk !== true).map((e) => e.type)).to.deep.equal([]);
    const added = events.filter((e) => e.type === 'MovieAdded').map((e) => e.data);
    const matrix = added.find((data) => data.movieId === movieIdFor(2));
    expect(matrix).to.deep.include({
      title: 'The Matrix',
      year: 1999,
      slug: 'the-matrix-1999',
      genres: ['action', 'science-fiction', 'thriller'],
    });
    expect(matrix?.externalIds).to.deep.equal({ movielensId: 2, imdbId: 'tt0133093', tmdbId: 603 });
    expect(added.find((data) => data.movieId === movieIdFor(3))).to.deep.include({ title: 'Babylon 5', year: null, genres: [] });
    expect(added.map((data) => data.slug)).to.include.members(['emma-1996', 'emma-1996-ml5']);

    const rated = events.filter((e) => e.type === 'MovieRated');
    const first = rated.find((e) => e.data.userId === userIdFor(1) && e.data.movieId === movieIdFor(1));
    expect(first?.data).to.deep.include({ score: 4, previousScore: null });
    expect(first?.metadata.occurredAt).to.equal(new Date(964982703 * 1000).toISOString());
    // The same label in two letter cases is one tag.
    expect(
      events
        .filter((e) => e.type === 'MovieTagged')
        .map((e) => e.data.tag)
        .sort(),
    ).to.deep.equal(['mind-bending', 'period piece']);
  });

  it('adds nothing when run again', async () => {
    const before = (await all()).length;
    const summary = await importMovieLens({ store: opened.store, registry }, directory);
    expect(summary.eventsAppended).to.equal(0);
    expect((await all()).length).to.equal(before);
  });

  it('completes an interrupted import, adding only what is missing', async () => {
    const fresh = await openPostgresEventStore();
    try {
      // An "interrupted" run: only the movies file was there when it stopped.
      const partial = await mkdtemp(join(tmpdir(), 'fastflix-movielens-partial-'));
      await writeFile(join(partial, 'movies.csv'), `${fixture['movies.csv']}\n`);
      await writeFile(join(partial, 'ratings.csv'), 'userId,movieId,rating,timestamp\n1,1,4.0,964982703\n');
      await importMovieLens({ store: fresh.store, registry }, partial);
      await rm(partial, { recursive: true, force: true });
      const completed = await importMovieLens({ store: fresh.store, registry }, directory);
      const clean = await all();
      const resumed = await fresh.store.readAll({ maxCount: 10_000 });
      expect(completed.eventsAppended).to.be.greaterThan(0);
      expect(resumed.map((e) => e.eventId).sort()).to.deep.equal(clean.map((e) => e.eventId).sort());
    } finally {
      await fresh.close();
    }
  });
});
