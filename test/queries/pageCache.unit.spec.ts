import { expect } from 'chai';
import type { Position } from '../../src/infrastructure/eventStore/eventStore.ts';
import { createPageCache } from '../../src/queries/shared/pageCache.ts';
import type { ReadModelChanges } from '../../src/queries/shared/readModelChanges.ts';

// The page cache's own rules, against a feed of changes whose positions the spec moves: the API spec
// (searchMovies.api.spec.ts, discovery.api.spec.ts) shows the same rules over HTTP with the real feed.

/** Read models at `applied`; the latest change at `changedAt`. */
const feed = () => {
  const state = { applied: 10n, changedAt: 0n };
  const changes: ReadModelChanges = {
    stand: () => ({ applied: state.applied, ahead: state.applied }),
    unchangedSince: (readAt: Position) => readAt >= state.changedAt,
    close: () => Promise.resolve(),
  };
  /** A change applied at the next position. */
  const change = (): void => {
    state.applied += 1n;
    state.changedAt = state.applied;
  };
  return { changes, change };
};

/** A read the spec finishes when it wants, counting how often it ran. */
const reads = () => {
  let count = 0;
  const waiting: (() => void)[] = [];
  return {
    read: (page: unknown) => () => {
      count++;
      return new Promise<unknown>((resolve) => waiting.push(() => resolve(page)));
    },
    finishAll: () => waiting.splice(0).forEach((finish) => finish()),
    count: () => count,
  };
};

describe('page cache', () => {
  it('serves a repeated page from memory until a change, then reads it again', async () => {
    const { changes, change } = feed();
    const cache = createPageCache({ changes });
    let count = 0;
    const read = (page: unknown) => () => {
      count++;
      return Promise.resolve(page);
    };
    expect(await cache.page('q', read({ items: ['a'] }))).to.equal('{"items":["a"]}');
    expect(await cache.page('q', read({ items: ['b'] }))).to.equal('{"items":["a"]}');
    change();
    expect(await cache.page('q', read({ items: ['b'] }))).to.equal('{"items":["b"]}');
    expect(count).to.equal(2);
  });

  it('runs one read for concurrent requests of one page', async () => {
    const { changes } = feed();
    const cache = createPageCache({ changes });
    const pending = reads();
    const answers = Promise.all([cache.page('q', pending.read(['a'])), cache.page('q', pending.read(['b']))]);
    pending.finishAll();
    expect(await answers).to.deep.equal(['["a"]', '["a"]']);
    expect(pending.count()).to.equal(1);
  });

  it('does not join a read that began before a change, nor keep its page', async () => {
    const { changes, change } = feed();
    const cache = createPageCache({ changes });
    const pending = reads();
    const before = cache.page('q', pending.read(['old']));
    change();
    const after = cache.page('q', pending.read(['new']));
    pending.finishAll();
    expect(await Promise.all([before, after])).to.deep.equal(['["old"]', '["new"]']);
    expect(pending.count()).to.equal(2);
    expect(await cache.page('q', () => Promise.resolve(['newer']))).to.equal('["new"]');
  });

  it('keeps at most maxCharacters of JSON, dropping the least recently used page first', async () => {
    const { changes } = feed();
    const cache = createPageCache({ changes, maxCharacters: 10 });
    const page = (text: string) => () => Promise.resolve(text);
    await cache.page('a', page('aaa'));
    await cache.page('b', page('bbb'));
    await cache.page('a', page('changed'));
    await cache.page('c', page('ccc'));
    expect(await cache.page('a', page('again'))).to.equal('"aaa"');
    expect(await cache.page('b', page('read again'))).to.equal('"read again"');
  });

  it('serves a page that depends on the time only until its validUntil', async () => {
    const { changes } = feed();
    let now = 1_000;
    const cache = createPageCache({ changes, now: () => now });
    const page = (text: string) => () => Promise.resolve(text);
    expect(await cache.page('t', page('first'), { validUntil: 2_000 })).to.equal('"first"');
    now = 1_999;
    expect(await cache.page('t', page('second'), { validUntil: 3_000 })).to.equal('"first"');
    now = 2_000;
    expect(await cache.page('t', page('third'), { validUntil: 3_000 })).to.equal('"third"');
    expect(await cache.page('t', page('fourth'))).to.equal('"third"');
  });

  it('does not join a read whose validUntil has passed', async () => {
    const { changes } = feed();
    let now = 1_000;
    const cache = createPageCache({ changes, now: () => now });
    const pending = reads();
    const before = cache.page('t', pending.read('old'), { validUntil: 1_500 });
    now = 1_500;
    const after = cache.page('t', pending.read('new'), { validUntil: 2_500 });
    pending.finishAll();
    expect(await Promise.all([before, after])).to.deep.equal(['"old"', '"new"']);
    expect(pending.count()).to.equal(2);
    now = 2_500;
    expect(await cache.page('t', () => Promise.resolve('newer'))).to.equal('"newer"');
  });
});
