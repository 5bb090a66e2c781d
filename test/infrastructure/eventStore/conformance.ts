import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { EventStore, EventToAppend, StoredEvent, StreamName } from '../../../src/infrastructure/eventStore/eventStore.ts';
import { firstBrokenLink } from '../../../src/infrastructure/eventStore/envelope.ts';
import { InvalidEventError, InvalidStreamNameError, WrongExpectedRevisionError } from '../../../src/infrastructure/eventStore/errors.ts';
import { lifecycleConformance } from './conformanceLifecycle.ts';
import { subscriptionConformance } from './conformanceSubscriptions.ts';
import { event, newStream } from './conformanceHelpers.ts';

/**
 * The guarantees of DESIGN.md's event store, run against every adapter. `open` gives a store on a
 * fresh backing store (or one shared by the whole suite: tests use streams of their own and never
 * assume an empty log).
 */
export interface ConformanceTarget {
  /** May be called more than once: each store is closed by the tests, and its backing store by `teardown`. */
  readonly open: () => Promise<EventStore>;
  readonly teardown: () => Promise<void>;
  /**
   * Cuts every connection the stores opened have to their server, from outside (PostgreSQL:
   * pg_terminate_backend from another connection), or says why this adapter has none to cut.
   */
  readonly dropConnections: (() => Promise<void>) | string;
}

export const eventStoreConformance = (name: string, target: () => ConformanceTarget | string): void => {
  describe(`event store conformance: ${name}`, function () {
    this.timeout(120_000);
    let store: EventStore;
    let current: ConformanceTarget | undefined;

    before(async function () {
      const chosen = target();
      if (typeof chosen === 'string') {
        console.log(`      skipped: ${chosen}`);
        this.skip();
      }
      current = chosen;
      store = await chosen.open();
    });

    after(async () => {
      await store?.close();
      await current?.teardown();
    });

    describe('appending with an expected revision', () => {
      it('creates a stream with no_stream and refuses no_stream once it exists', async () => {
        const stream = newStream();
        const first = await store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' });
        expect(first.nextExpectedRevision).to.equal(0n);
        expect(first.appended).to.equal(true);
        const error = await store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(WrongExpectedRevisionError);
        expect((error as WrongExpectedRevisionError).actual).to.equal(0n);
        expect(await store.readStream(stream)).to.have.length(1);
      });

      it('appends at the exact revision and refuses a stale one, appending nothing', async () => {
        const stream = newStream();
        await store.appendToStream(stream, [event(), event()], { expectedRevision: 'no_stream' });
        const next = await store.appendToStream(stream, [event()], { expectedRevision: 1n });
        expect(next.nextExpectedRevision).to.equal(2n);
        for (const stale of [0n, 1n, 3n]) {
          const error = await store.appendToStream(stream, [event(), event()], { expectedRevision: stale }).catch((e: unknown) => e);
          expect(error, `expected revision ${stale}`).to.be.instanceOf(WrongExpectedRevisionError);
          expect((error as WrongExpectedRevisionError).expected).to.equal(stale);
          expect((error as WrongExpectedRevisionError).actual).to.equal(2n);
        }
        expect((await store.readStream(stream)).map((e) => e.revision)).to.deep.equal([0n, 1n, 2n]);
      });

      it('refuses an exact revision on a stream that does not exist', async () => {
        const stream = newStream();
        const error = await store.appendToStream(stream, [event()], { expectedRevision: 0n }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(WrongExpectedRevisionError);
        expect((error as WrongExpectedRevisionError).actual).to.equal('no_stream');
        expect(await store.readStream(stream)).to.deep.equal([]);
      });

      it('appends with stream_exists only to a stream that exists', async () => {
        const stream = newStream();
        const error = await store.appendToStream(stream, [event()], { expectedRevision: 'stream_exists' }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(WrongExpectedRevisionError);
        expect((error as WrongExpectedRevisionError).actual).to.equal('no_stream');
        await store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' });
        const result = await store.appendToStream(stream, [event()], { expectedRevision: 'stream_exists' });
        expect(result.nextExpectedRevision).to.equal(1n);
      });

      it('appends with any whatever the stream holds', async () => {
        const stream = newStream();
        expect((await store.appendToStream(stream, [event()], { expectedRevision: 'any' })).nextExpectedRevision).to.equal(0n);
        expect((await store.appendToStream(stream, [event(), event()])).nextExpectedRevision).to.equal(2n);
      });

      it('lets exactly one of many concurrent appenders at one revision win', async () => {
        const stream = newStream();
        await store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, () => store.appendToStream(stream, [event()], { expectedRevision: 0n })),
        );
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') expect(outcome.reason).to.be.instanceOf(WrongExpectedRevisionError);
        }
        expect(await store.readStream(stream)).to.have.length(2);
      });

      it('lets exactly one of many concurrent creators of a stream win', async () => {
        const stream = newStream();
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, () => store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' })),
        );
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(1);
        expect(await store.readStream(stream)).to.have.length(1);
      });
    });

    describe('re-appending the same events', () => {
      it('is a no-op at the same expected revision, answering the first result', async () => {
        const stream = newStream();
        const events = [event(), event()];
        const first = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        const again = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        expect(again.appended).to.equal(false);
        expect(again.nextExpectedRevision).to.equal(first.nextExpectedRevision);
        expect(again.position).to.equal(first.position);
        const later = [event()];
        const third = await store.appendToStream(stream, later, { expectedRevision: 1n });
        expect((await store.appendToStream(stream, later, { expectedRevision: 1n })).position).to.equal(third.position);
        expect(await store.readStream(stream)).to.have.length(3);
      });

      it('is a no-op with expected revision any', async () => {
        const stream = newStream();
        const events = [event(), event()];
        await store.appendToStream(stream, events, { expectedRevision: 'any' });
        const again = await store.appendToStream(stream, events, { expectedRevision: 'any' });
        expect(again.appended).to.equal(false);
        expect(await store.readStream(stream)).to.have.length(2);
      });
    });

    describe('reading a stream', () => {
      it('reads forwards and backwards from a revision, up to a count', async () => {
        const stream = newStream();
        await store.appendToStream(
          stream,
          Array.from({ length: 10 }, (_, n) => event({ n })),
          { expectedRevision: 'no_stream' },
        );
        const numbers = (events: StoredEvent[]) => events.map((e) => e.data.n);
        expect(numbers(await store.readStream(stream))).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(numbers(await store.readStream(stream, { fromRevision: 3n, maxCount: 4 }))).to.deep.equal([3, 4, 5, 6]);
        expect(numbers(await store.readStream(stream, { direction: 'backwards', maxCount: 3 }))).to.deep.equal([9, 8, 7]);
        expect(numbers(await store.readStream(stream, { direction: 'backwards', fromRevision: 4n }))).to.deep.equal([4, 3, 2, 1, 0]);
        expect(numbers(await store.readStream(stream, { fromRevision: 10n }))).to.deep.equal([]);
        expect(await store.readStream(newStream())).to.deep.equal([]);
      });

      it('keeps the envelope: ids, types, versions, metadata, revisions', async () => {
        const stream = newStream();
        const appended = event({ title: 'Heat' }, 'MovieAdded', 3);
        await store.appendToStream(stream, [appended]);
        const [read] = await store.readStream(stream);
        expect(read).to.include({ eventId: appended.eventId, type: 'MovieAdded', schemaVersion: 3, streamName: stream, revision: 0n });
        expect(read?.data).to.deep.equal({ title: 'Heat' });
        expect(read?.metadata).to.deep.equal(appended.metadata);
        expect(read?.recordedAt).to.be.instanceOf(Date);
      });
    });

    describe('the bulk flag', () => {
      it('keeps bulk in the metadata of the events that carry it, reading back none where none was given, and the chain verifies', async () => {
        const stream = newStream();
        const plain = event({ n: 0 });
        const bulk = { ...event({ n: 1 }), metadata: { ...event().metadata, bulk: true } };
        await store.appendToStream(stream, [plain, bulk]);
        const read = await store.readStream(stream);
        expect(read.map((e) => e.metadata)).to.deep.equal([plain.metadata, bulk.metadata]);
        expect(Object.keys(read[0]?.metadata ?? {})).not.to.include('bulk');
        const [fromAll] = await store.readAll({ fromPosition: read[1]?.position ?? 0n, maxCount: 1 });
        expect(fromAll?.metadata.bulk).to.equal(true);
        expect(firstBrokenLink(read)).to.equal(undefined);
        // The flag is covered by the hash: dropping it breaks the chain at that event.
        expect(firstBrokenLink(read.map((e, index) => (index === 1 ? { ...e, metadata: plain.metadata } : e)))).to.equal(1n);
      });
    });

    describe('reading all streams', () => {
      it('reads forwards and backwards from a position, up to a count, in position order', async () => {
        const stream = newStream();
        await store.appendToStream(
          stream,
          Array.from({ length: 5 }, (_, n) => event({ n })),
        );
        const ours = await store.readStream(stream);
        const start = ours[0]?.position ?? 0n;
        const forwards = await store.readAll({ fromPosition: start, maxCount: 5 });
        expect(forwards.map((e) => e.eventId)).to.deep.equal(ours.map((e) => e.eventId));
        const backwards = await store.readAll({ fromPosition: ours[4]?.position ?? 0n, direction: 'backwards', maxCount: 5 });
        expect(backwards.map((e) => e.eventId)).to.deep.equal([...ours].reverse().map((e) => e.eventId));
        const last = await store.readAll({ direction: 'backwards', maxCount: 1 });
        expect(last[0]?.position).to.equal(await store.headPosition());
      });
    });

    subscriptionConformance(() => store);

    describe('payloads', () => {
      it('keeps unicode exactly', async () => {
        const stream = newStream();
        const data = {
          title: 'Amélie — 天使爱美丽 — أميلي — 🎬🍿👩‍👩‍👧 — Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫ',
          nul: 'before\u0000after',
          escapes: 'quote " backslash \\ newline \n tab \t',
          ключ: ['ü', '\u2028', '\uFEFF'],
        };
        await store.appendToStream(stream, [event(data)]);
        const [read] = await store.readStream(stream);
        expect(read?.data).to.deep.equal(data);
      });

      it('keeps 1 MB payloads, and their hash chain verifies', async () => {
        const stream = newStream();
        const ascii = { blob: 'x'.repeat(1_000_000) };
        const multibyte = { blob: 'é'.repeat(500_000) };
        await store.appendToStream(stream, [event(ascii)]);
        await store.appendToStream(stream, [event(multibyte)]);
        const read = await store.readStream(stream);
        expect(read[0]?.data).to.deep.equal(ascii);
        expect(read[1]?.data).to.deep.equal(multibyte);
        expect(firstBrokenLink(read)).to.equal(undefined);
      });
    });

    describe('the hash chain', () => {
      it('chains each event to the previous one of its stream, across appends', async () => {
        const stream = newStream();
        await store.appendToStream(stream, [event({ n: 0 }), event({ n: 1 })]);
        await store.appendToStream(stream, [event({ n: 2 })]);
        const read = await store.readStream(stream);
        expect(firstBrokenLink(read)).to.equal(undefined);
        expect(new Set(read.map((e) => e.hash)).size).to.equal(3);
        const tampered = read.map((e, index) => (index === 1 ? { ...e, data: { n: 99 } } : e));
        expect(firstBrokenLink(tampered)).to.equal(1n);
      });
    });

    describe('bad input', () => {
      for (const bad of [
        '',
        'nocategory',
        '$all',
        '$et-MovieAdded',
        'has space-1',
        'movie-',
        '-1',
        'Movie-1',
        `movie-${'x'.repeat(300)}`,
        'movie-a/b',
        "movie-1'; drop table events;--",
      ]) {
        it(`rejects the stream name ${JSON.stringify(bad.slice(0, 40))}, writing nothing`, async () => {
          const error = await store.appendToStream(bad as StreamName, [event()]).catch((e: unknown) => e);
          expect(error).to.be.instanceOf(InvalidStreamNameError);
        });
      }

      it('rejects events that are not well-formed, writing none of the append', async () => {
        const stream = newStream();
        const cases: EventToAppend[] = [
          { ...event(), eventId: 'not-a-uuid' },
          { ...event(), type: '' },
          { ...event(), schemaVersion: 0 },
          { ...event(), data: { when: Number.NaN } },
          { ...event(), metadata: { ...event().metadata, occurredAt: 'yesterday' } },
          { ...event(), metadata: { ...event().metadata, bulk: 'yes' as unknown as boolean } },
        ];
        for (const bad of cases) {
          const error = await store.appendToStream(stream, [event(), bad]).catch((e: unknown) => e);
          expect(error).to.be.instanceOf(InvalidEventError);
        }
        const id = randomUUID();
        const twice = await store.appendToStream(stream, [event({}, 'T', 1, id), event({}, 'T', 1, id)]).catch((e: unknown) => e);
        expect(twice).to.be.instanceOf(InvalidEventError);
        expect(await store.readStream(stream)).to.deep.equal([]);
      });
    });

    lifecycleConformance(
      () => store,
      () => current,
    );
  });
};
