import { expect } from 'chai';
import type { DomainEvent } from '../../src/domain/events.ts';
import type { Genre } from '../../src/domain/movie/values.ts';
import type { Uuid } from '../../src/domain/shared/codecs.ts';
import type { RecordedEvent } from '../../src/infrastructure/eventStore/eventRegistry.ts';
import { notifications } from '../../src/projections/notifications/projection.ts';
import { projectionSpec, recorded } from '../support/projectionSpec.ts';
import { displayName, email, overview, slug, title, uuid } from '../support/values.ts';

// Given events, then who has which notification: the three rules, bulk loads notifying nobody, the
// state behind a notification taken as of its event (order within a batch), and ids that a rebuild
// gives again.

const registered = (userId: Uuid): DomainEvent => ({
  type: 'UserRegistered',
  data: { userId, email: email(`${userId}@fastflix.test`), displayName: displayName('Ada'), passwordHash: '!', role: 'user' },
});
const added = (movieId: Uuid, genres: Genre[], name = `Movie ${movieId.slice(0, 6)}`): DomainEvent => ({
  type: 'MovieAdded',
  data: {
    movieId,
    slug: slug(`m-${movieId}`),
    title: title(name),
    year: null,
    genres,
    overview: overview('x'),
    runtime: null,
    externalIds: {},
  },
});
const rated = (userId: Uuid, movieId: Uuid): DomainEvent => ({
  type: 'MovieRated',
  data: { userId, movieId, score: 4 as never, previousScore: null },
});
const bulk = (event: DomainEvent): RecordedEvent<DomainEvent> => {
  const plain = recorded(event);
  return { ...plain, metadata: { ...plain.metadata, bulk: true } };
};

interface Row extends Record<string, unknown> {
  readonly notification_id: string;
  readonly user_id: string;
  readonly type: string;
  readonly detail: Record<string, unknown>;
  readonly read_at: Date | null;
}

describe('the notifications projection', () => {
  const spec = projectionSpec(notifications);
  const of = async (userId: string): Promise<Row[]> =>
    spec.rows<Row>('SELECT * FROM notifications WHERE user_id = $1 ORDER BY cause_position, notification_id', [userId]);

  /** A user who rated 3 crime, 2 drama, 1 comedy and 1 horror movie (bulk-loaded, as an import would). */
  const withTaste = async (): Promise<Uuid> => {
    const user = uuid();
    const movies: [Uuid, Genre[]][] = [
      [uuid(), ['crime']],
      [uuid(), ['crime', 'drama']],
      [uuid(), ['crime', 'drama']],
      [uuid(), ['comedy']],
      [uuid(), ['horror', 'western']],
    ];
    await spec.given(...movies.map(([id, genres]) => bulk(added(id, genres))), ...movies.map(([id]) => bulk(rated(user, id))));
    return user;
  };

  it('welcomes a user who registers, and nobody a bulk load registers', async () => {
    const [user, imported] = [uuid(), uuid()];
    await spec.given(recorded(registered(user)), bulk(registered(imported)));
    expect((await of(user)).map((row) => [row.type, row.detail])).to.deep.equal([['welcome', { displayName: 'Ada' }]]);
    expect(await of(imported)).to.deep.equal([]);
  });

  it('tells a user of a new movie in one of their three most-rated genres, ties broken by name, and of no other', async () => {
    const user = await withTaste();
    const [inTop, outside, horror] = [uuid(), uuid(), uuid()];
    // crime 3, drama 2, then comedy, horror and western tied at 1: comedy is third by name.
    await spec.given(added(inTop, ['comedy', 'war']), added(outside, ['war']), added(horror, ['horror']));
    const rows = await of(user);
    expect(rows.map((row) => [row.type, row.detail])).to.deep.equal([
      ['movie.inFavouriteGenre', { movie: { id: inTop, slug: `m-${inTop}`, title: `Movie ${inTop.slice(0, 6)}` }, genres: ['comedy'] }],
    ]);
  });

  it('notifies nobody of a bulk-loaded movie, while still counting ratings of it', async () => {
    const user = await withTaste();
    const [imported, next] = [uuid(), uuid()];
    const another = uuid();
    await spec.given(
      bulk(added(imported, ['horror'])),
      bulk(added(another, ['horror'])),
      bulk(rated(user, imported)),
      bulk(rated(user, another)),
    );
    expect(await of(user)).to.deep.equal([]);
    // Horror now has 3 ratings, beside crime's 3 and drama's 2.
    await spec.given(added(next, ['horror']));
    expect((await of(user)).map((row) => row.type)).to.deep.equal(['movie.inFavouriteGenre']);
  });

  it('counts a retracted rating out of its genres, whether it comes in a batch of its own or with the rating', async () => {
    const retracted = (userId: Uuid, movieId: Uuid): DomainEvent => ({
      type: 'RatingRetracted',
      data: { userId, movieId, previousScore: 4 as never },
    });
    const [apart, together] = [uuid(), uuid()];
    const [western, music, anotherMusic] = [uuid(), uuid(), uuid()];
    await spec.given(added(western, ['western']), added(music, ['music']), added(anotherMusic, ['music']));
    // Live, a retraction is a batch of its own; in a rebuild it shares one with the rating.
    await spec.given(rated(apart, western), rated(apart, music));
    await spec.given(retracted(apart, western));
    await spec.given(rated(together, western), rated(together, music), retracted(together, western));
    const tops = await spec.rows<{ user_id: string; genre: string }>(
      'SELECT user_id::text, genre FROM notification_top_genres WHERE user_id = ANY($1::uuid[]) ORDER BY user_id, genre',
      [[apart, together]],
    );
    expect(tops.filter((row) => row.user_id === apart).map((row) => row.genre)).to.deep.equal(['music']);
    expect(tops.filter((row) => row.user_id === together).map((row) => row.genre)).to.deep.equal(['music']);
    // Nobody is told of a western: it is no one's genre any more.
    const westernAgain = uuid();
    await spec.given(added(westernAgain, ['western']));
    expect([...(await of(apart)), ...(await of(together))]).to.deep.equal([]);
    // A rating is counted under the genres its movie has when it is rated, and retracted out of them:
    // retracted after the movie became a western, it takes its music back and leaves western alone.
    await spec.given(rated(apart, anotherMusic));
    await spec.given({ type: 'MovieDetailsChanged', data: { movieId: anotherMusic, genres: ['western'] } });
    const counts = () =>
      spec.rows<{ genre: string; ratings: number }>(
        'SELECT genre, ratings FROM notification_genre_ratings WHERE user_id = $1 ORDER BY genre',
        [apart],
      );
    expect(await counts()).to.deep.equal([{ genre: 'music', ratings: 2 }]);
    await spec.given(retracted(apart, anotherMusic));
    expect(await counts()).to.deep.equal([{ genre: 'music', ratings: 1 }]);
    // Rated again, it counts as the western it is now.
    await spec.given(rated(apart, anotherMusic));
    expect(await counts()).to.deep.equal([
      { genre: 'music', ratings: 1 },
      { genre: 'western', ratings: 1 },
    ]);
  });

  it('makes its ledger of ratings in a read model of version 2, which had none, at the first ratings it applies', async () => {
    const [user, movie] = [uuid(), uuid()];
    await spec.given(added(movie, ['western']));
    await spec.rows('DROP TABLE notification_ratings');
    await spec.given(rated(user, movie));
    expect(
      await spec.rows('SELECT user_id::text, movie_id::text, genres FROM notification_ratings WHERE user_id = $1', [user]),
    ).to.deep.equal([{ user_id: user, movie_id: movie, genres: ['western'] }]);
  });

  it('decides on the ratings as they were at the movie, within one batch', async () => {
    const user = uuid();
    const [western, first, second] = [uuid(), uuid(), uuid()];
    await spec.given(added(western, ['western']), added(first, ['western']), rated(user, western), added(second, ['western']));
    expect((await of(user)).map((row) => (row.detail.movie as { id: string }).id)).to.deep.equal([second]);
  });

  it('tells those with a movie on their watchlist that it changed or was archived, naming what changed, and not those who took it off', async () => {
    const [keeper, leaver, movie] = [uuid(), uuid(), uuid()];
    await spec.given(
      bulk(added(movie, ['drama'], 'Heat')),
      { type: 'AddedToWatchlist', data: { userId: keeper, movieId: movie } },
      { type: 'AddedToWatchlist', data: { userId: leaver, movieId: movie } },
      { type: 'RemovedFromWatchlist', data: { userId: leaver, movieId: movie } },
      { type: 'MovieDetailsChanged', data: { movieId: movie, title: title('Heat (1995)'), overview: overview('y') } },
      { type: 'MovieArchived', data: { movieId: movie } },
    );
    expect((await of(keeper)).map((row) => [row.type, row.detail])).to.deep.equal([
      ['watchlist.movieChanged', { movie: { id: movie, slug: `m-${movie}`, title: 'Heat (1995)' }, changed: ['overview', 'title'] }],
      ['watchlist.movieArchived', { movie: { id: movie, slug: `m-${movie}`, title: 'Heat (1995)' } }],
    ]);
    expect(await of(leaver)).to.deep.equal([]);
    await spec.given(bulk({ type: 'MovieArchived', data: { movieId: movie } }));
    expect(await of(keeper)).to.have.length(2);
  });

  it('tells a deactivated account nothing more, neither of new movies nor of its watchlist', async () => {
    const user = await withTaste();
    const [listed, crime] = [uuid(), uuid()];
    await spec.given(
      bulk(added(listed, ['drama'])),
      { type: 'AddedToWatchlist', data: { userId: user, movieId: listed } },
      { type: 'UserDeactivated', data: { userId: user } },
      added(crime, ['crime']),
      { type: 'MovieArchived', data: { movieId: listed } },
    );
    expect(await of(user)).to.deep.equal([]);
  });

  it('gives a notification the same id whenever its event is applied, and keeps the first read of it', async () => {
    const user = uuid();
    const welcome = recorded(registered(user), { occurredAt: '2026-12-04T10:00:00.000Z' });
    await spec.given(welcome);
    const [row] = await of(user);
    const id = row?.notification_id as Uuid;
    await spec.given(welcome);
    expect((await of(user)).map((r) => r.notification_id)).to.deep.equal([id]);
    const read = (occurredAt: string, userId = user) =>
      recorded({ type: 'NotificationRead', data: { userId, notificationId: id } }, { occurredAt });
    await spec.given(read('2026-12-04T11:00:00.000Z', uuid()));
    expect((await of(user))[0]?.read_at).to.equal(null);
    await spec.given(read('2026-12-04T12:00:00.000Z'), read('2026-12-04T13:00:00.000Z'));
    expect((await of(user))[0]?.read_at?.toISOString()).to.equal('2026-12-04T12:00:00.000Z');
  });
});

describe('the notifications projection, batched any way', () => {
  // The same events applied one batch each (as live) and all in one batch (as a rebuild, or a bulk
  // load, gathers them by kind): every table the same.
  const oneByOne = projectionSpec(notifications);
  const together = projectionSpec(notifications);
  const retracted = (userId: Uuid, movieId: Uuid): DomainEvent => ({
    type: 'RatingRetracted',
    data: { userId, movieId, previousScore: 4 as never },
  });

  it('keeps the same inboxes, counts, audiences and watchlists', async () => {
    const [ada, bo] = [uuid(), uuid()];
    const [m1, m2, m3, m4, m5, m6, m7] = [uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid()];
    const events = [
      registered(ada),
      registered(bo),
      bulk(added(m1, ['crime'])),
      added(m2, ['drama']),
      bulk(rated(ada, m1)),
      added(m3, ['crime', 'drama']),
      rated(bo, m2),
      { type: 'AddedToWatchlist', data: { userId: ada, movieId: m2 } } as DomainEvent,
      rated(ada, m3),
      added(m4, ['crime']),
      { type: 'MovieDetailsChanged', data: { movieId: m2, title: title('Drama, again'), genres: ['drama', 'crime'] } } as DomainEvent,
      rated(bo, m1),
      retracted(ada, m1),
      added(m5, ['drama', 'western']),
      { type: 'AddedToWatchlist', data: { userId: bo, movieId: m5 } } as DomainEvent,
      { type: 'RemovedFromWatchlist', data: { userId: ada, movieId: m2 } } as DomainEvent,
      bulk(added(m6, ['western'])),
      { type: 'MovieArchived', data: { movieId: m5 } } as DomainEvent,
      // A retraction after the movie's genres changed, beside a new rating in the genre it took: one
      // by one bo's western goes to 1; in one batch it must too (version 2 netted the two to 0 before
      // flooring, where one by one the retraction was floored first).
      { type: 'MovieDetailsChanged', data: { movieId: m1, genres: ['western'] } } as DomainEvent,
      retracted(bo, m1),
      rated(bo, m6),
      rated(ada, m6),
      added(m7, ['western', 'crime']),
    ].map((event) => ('position' in event ? event : recorded(event)));
    for (const event of events) await oneByOne.given(event);
    await together.given(...events);
    const tables = [
      'SELECT notification_id, user_id, type, cause_position, detail FROM notifications ORDER BY notification_id',
      'SELECT * FROM notification_movies ORDER BY movie_id',
      'SELECT * FROM notification_genre_ratings ORDER BY user_id, genre',
      'SELECT * FROM notification_ratings ORDER BY user_id, movie_id',
      'SELECT * FROM notification_top_genres ORDER BY genre, user_id',
      'SELECT * FROM notification_watchlists ORDER BY movie_id, user_id',
    ];
    for (const query of tables) expect(await together.rows(query), query).to.deep.equal(await oneByOne.rows(query));
    // Not vacuous: both users were told of something.
    const told = await together.rows<{ user_id: string }>("SELECT DISTINCT user_id::text FROM notifications WHERE type <> 'welcome'");
    expect(told.map((row) => row.user_id).sort()).to.deep.equal([ada, bo].sort());
  });
});
