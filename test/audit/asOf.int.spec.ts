import { expect } from 'chai';
import { stateAsOf, type AsOfOutcome } from '../../src/audit/asOf.ts';
import { domainEventDefinitions } from '../../src/domain/events.ts';
import { eventRegistry } from '../../src/infrastructure/eventStore/eventRegistry.ts';
import type { StreamName } from '../../src/infrastructure/eventStore/eventStore.ts';
import { openPostgresEventStore, type TestEventStore } from '../infrastructure/eventStore/postgresTestStore.ts';
import { appendAccountHistory, appendViewing, type Account } from './support/auditLog.ts';

// `audit as-of`: the state at a point is the fold of the stream's events up to it. The states below
// are written out by hand from the events appendAccountHistory and appendViewing append, one after
// each event, so that a fold that skips, repeats or reorders an event shows.

describe('audit as-of', function () {
  this.timeout(30_000);
  let opened: TestEventStore;
  let account: Account;
  let viewing: StreamName;
  const registry = eventRegistry(domainEventDefinitions);

  before(async () => {
    opened = await openPostgresEventStore();
    account = await appendAccountHistory(opened.store, 'grace');
    viewing = await appendViewing(opened.store, account.userId);
  });
  after(() => opened.close());

  const found = (outcome: AsOfOutcome) => {
    if (outcome.outcome !== 'found') throw new Error(`expected a state, got ${JSON.stringify(outcome)}`);
    return outcome;
  };
  const positions = async (stream: StreamName) => (await opened.store.readStream(stream)).map((event) => event.position);

  it("folds an account with the domain's evolve up to each of its events", async () => {
    const { userId } = account;
    const registered = { userId, email: 'grace@example.com', displayName: 'grace', pendingReset: null };
    // The password change ends every session started before it (none kept).
    const ended = { at: '2026-12-01T11:00:00.000Z', except: null };
    const byHand = [
      { status: 'active', ...registered, passwordHash: 'hash-1', role: 'user', sessionsEndedBefore: null },
      { status: 'active', ...registered, passwordHash: 'hash-1', role: 'admin', sessionsEndedBefore: null },
      { status: 'active', ...registered, passwordHash: 'hash-2', role: 'admin', sessionsEndedBefore: ended },
      { status: 'deactivated', ...registered, passwordHash: 'hash-2', role: 'admin', sessionsEndedBefore: ended },
    ];
    const at = await positions(account.stream);
    for (const [index, position] of at.entries()) {
      const state = found(await stateAsOf(opened.store, registry, account.stream, { kind: 'position', position }));
      expect(state.state, `after revision ${index}`).to.deep.equal(byHand[index]);
      expect(state).to.include({ revision: BigInt(index), position, eventsFolded: index + 1, eventsAfter: at.length - index - 1 });
      // Between two events, the state is the earlier one's.
      const between = found(await stateAsOf(opened.store, registry, account.stream, { kind: 'position', position: position + 1n }));
      expect(between.state).to.deep.equal(byHand[index]);
    }
  });

  it('folds a viewing up to each of its events, and to the initial state before the first', async () => {
    const byHand = [
      { score: null, timesWatched: 0, onWatchlist: true, tags: [] },
      { score: null, timesWatched: 1, onWatchlist: true, tags: [] },
      { score: 3.5, timesWatched: 1, onWatchlist: true, tags: [] },
      { score: 4.5, timesWatched: 1, onWatchlist: true, tags: [] },
      { score: 4.5, timesWatched: 1, onWatchlist: false, tags: [] },
    ];
    const at = await positions(viewing);
    for (const [index, position] of at.entries()) {
      expect(found(await stateAsOf(opened.store, registry, viewing, { kind: 'position', position })).state).to.deep.equal(byHand[index]);
    }
    const before = found(await stateAsOf(opened.store, registry, viewing, { kind: 'position', position: (at[0] ?? 0n) - 1n }));
    expect(before).to.deep.include({
      revision: null,
      eventsFolded: 0,
      state: { score: null, timesWatched: 0, onWatchlist: false, tags: [] },
    });
  });

  it('takes a time as what had been recorded by then', async () => {
    const events = await opened.store.readStream(account.stream);
    const early = found(await stateAsOf(opened.store, registry, account.stream, { kind: 'time', time: new Date('2000-01-01') }));
    expect(early).to.deep.include({ eventsFolded: 0, state: { status: 'unregistered' } });
    const late = found(await stateAsOf(opened.store, registry, account.stream, { kind: 'time', time: new Date(Date.now() + 60_000) }));
    expect(late.eventsFolded).to.equal(4);
    const second = events[1];
    if (second === undefined) throw new Error('no second event');
    const atSecond = found(await stateAsOf(opened.store, registry, account.stream, { kind: 'time', time: second.recordedAt }));
    expect(atSecond.eventsFolded).to.be.at.least(2);
    expect(events.slice(0, atSecond.eventsFolded).every((event) => event.recordedAt <= second.recordedAt)).to.equal(true);
  });

  it('says so for an unknown stream, a name that is no stream, and a stream with no aggregate', async () => {
    const at = { kind: 'position', position: 1n } as const;
    expect(await stateAsOf(opened.store, registry, 'user-nobody', at)).to.deep.include({ outcome: 'unknown' });
    expect(await stateAsOf(opened.store, registry, 'no stream', at)).to.have.property('outcome', 'invalid');
    expect(await stateAsOf(opened.store, registry, 'emailReservation-abc', at)).to.have.property('outcome', 'no-decider');
  });
});
