import { expect } from 'chai';
import { history } from '../../src/projections/history/projection.ts';
import { watchlists } from '../../src/projections/watchlists/projection.ts';
import { projectionSpec, recorded } from '../support/projectionSpec.ts';
import { at, uuid } from '../support/values.ts';

describe('the watchlists projection', () => {
  const spec = projectionSpec(watchlists);
  it('keeps what is on each list, the last word in a batch winning', async () => {
    const [user, a, b] = [uuid(), uuid(), uuid()];
    await spec.given(
      { type: 'AddedToWatchlist', data: { userId: user, movieId: a } },
      { type: 'AddedToWatchlist', data: { userId: user, movieId: b } },
      { type: 'RemovedFromWatchlist', data: { userId: user, movieId: b } },
    );
    expect(await spec.rows('SELECT movie_id FROM watchlist_entries WHERE user_id = $1', [user])).to.deep.equal([{ movie_id: a }]);
    await spec.given({ type: 'RemovedFromWatchlist', data: { userId: user, movieId: a } });
    expect(await spec.rows('SELECT movie_id FROM watchlist_entries WHERE user_id = $1', [user])).to.deep.equal([]);
  });
});

describe('the history projection', () => {
  const spec = projectionSpec(history);
  it('keeps every viewing, and a replay of one once', async () => {
    const [user, movie] = [uuid(), uuid()];
    const first = recorded({ type: 'MovieWatched', data: { userId: user, movieId: movie, watchedAt: at('2026-01-01T20:00:00Z') } });
    await spec.given(
      first,
      recorded({ type: 'MovieWatched', data: { userId: user, movieId: movie, watchedAt: at('2026-01-02T20:00:00Z') } }),
    );
    await spec.given(first);
    const rows = await spec.rows<{ watched_at: Date }>('SELECT watched_at FROM watch_history WHERE user_id = $1 ORDER BY watched_at', [
      user,
    ]);
    expect(rows.map((row) => row.watched_at.toISOString())).to.deep.equal(['2026-01-01T20:00:00.000Z', '2026-01-02T20:00:00.000Z']);
  });
});
