import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { EventStore, Position } from '../../src/infrastructure/eventStore/eventStore.ts';
import { createMemoryEventStore } from '../../src/infrastructure/eventStore/memory/memoryEventStore.ts';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { catalogue } from '../../src/projections/catalogue/projection.ts';
import { ratings } from '../../src/projections/ratings/projection.ts';
import { trending } from '../../src/projections/trending/projection.ts';
import { followReadModelChanges, type ReadModelChanges } from '../../src/queries/shared/readModelChanges.ts';
import { testLog } from '../support/postgresServer.ts';
import { waitFor } from '../support/waitFor.ts';

// The feed that tells the page caches whether an answer is still current, over the in-memory event
// store, with the read models' positions set by the spec as the projectors would move them.

const watched = (movieId: string) => ({
  eventId: randomUUID(),
  type: 'MovieWatched',
  schemaVersion: 1,
  data: { userId: randomUUID(), movieId, watchedAt: new Date().toISOString() },
  metadata: { occurredAt: new Date().toISOString(), actorId: null, correlationId: randomUUID(), causationId: null },
});

describe('read model changes', () => {
  let store: EventStore;
  const standing = new Map<string, Position>();
  const positions = { current: (name: string) => standing.get(name) ?? -1n };
  const feeds: ReadModelChanges[] = [];
  const follow = async (readModels: Parameters<typeof followReadModelChanges>[0]['readModels']) => {
    const feed = await followReadModelChanges({ store, readModels, positions, log: testLog });
    feeds.push(feed);
    return feed;
  };
  /** Appends a watch, and the read models apply it. */
  const watch = async (movieId: string): Promise<Position> => {
    const result = await store.appendToStream(streamName('viewing', randomUUID()), [watched(movieId)]);
    if (result.position === null) throw new Error('nothing appended');
    for (const name of ['catalogue', 'ratings', 'trending']) standing.set(name, result.position);
    return result.position;
  };

  beforeEach(() => {
    store = createMemoryEventStore();
    standing.clear();
  });
  afterEach(async () => {
    await Promise.all(feeds.splice(0).map((feed) => feed.close()));
  });

  it('stands where the read model furthest behind stands, and is ahead where the furthest one is', async () => {
    const feed = await follow([trending, catalogue, ratings]);
    standing.set('catalogue', 7n).set('ratings', 3n).set('trending', 5n);
    expect(feed.stand()).to.deep.equal({ applied: 3n, ahead: 7n });
  });

  it('calls an answer stale after an event one of its read models follows, for that movie only', async () => {
    const [changed, untouched] = [randomUUID(), randomUUID()];
    const withTrending = await follow([trending, catalogue, ratings]);
    const withoutTrending = await follow([catalogue, ratings]);
    const readAt = withTrending.stand().applied;
    expect(withTrending.unchangedSince(readAt)).to.equal(true);
    await watch(changed);
    // Once the feed that does not follow watches has seen as far as the read models stand, it
    // proves the answer current; the one that does follow them never does.
    await waitFor(() => withoutTrending.unchangedSince(readAt));
    await waitFor(() => withTrending.unchangedSince(readAt, untouched));
    expect(withTrending.unchangedSince(readAt)).to.equal(false);
    expect(withTrending.unchangedSince(readAt, changed)).to.equal(false);
    expect(withTrending.unchangedSince(withTrending.stand().applied)).to.equal(true);
  });

  it('proves nothing while it has not seen as far as the read models stand', async () => {
    const feed = await follow([trending]);
    const readAt = feed.stand().applied;
    standing.set('trending', 1_000_000n);
    expect(feed.unchangedSince(readAt, randomUUID())).to.equal(false);
    expect(feed.unchangedSince(readAt)).to.equal(false);
  });

  it('needs a read model to follow', async () => {
    let refused: unknown;
    await follow([]).catch((error: unknown) => (refused = error));
    expect(refused).to.be.instanceOf(Error);
  });
});
