import { expect } from 'chai';
import { demoAccount, seedDemo } from '../../../src/commands/seedDemo/handler.ts';
import { demoPlan } from '../../../src/commands/seedDemo/plan.ts';
import { domainEventDefinitions } from '../../../src/domain/events.ts';
import { createPasswordHasher } from '../../../src/infrastructure/auth/passwords.ts';
import { eventRegistry } from '../../../src/infrastructure/eventStore/eventRegistry.ts';
import { openPostgresEventStore, type TestEventStore } from '../../infrastructure/eventStore/postgresTestStore.ts';

describe('the demo catalogue', function () {
  this.timeout(60_000);
  let opened: TestEventStore;
  const now = new Date('2026-11-26T12:00:00Z');

  before(async () => {
    opened = await openPostgresEventStore();
  });
  after(async () => {
    await opened.close();
  });

  it('is the same for the same seed, with activity only in the week before now', () => {
    const plan = demoPlan({ now, seed: 7 });
    expect(demoPlan({ now, seed: 7 })).to.deep.equal(plan);
    expect(plan.movies).to.have.length(240);
    expect(new Set(plan.movies.map((movie) => movie.title)).size).to.equal(240);
    expect(plan.activity.every((entry) => entry.at <= now && entry.at.getTime() >= now.getTime() - 7 * 86_400_000)).to.equal(true);
  });

  it('fills an empty installation once, with an account to sign in with, and refuses the second time', async () => {
    const environment = { store: opened.store, registry: eventRegistry(domainEventDefinitions), passwords: createPasswordHasher(10) };
    const first = await seedDemo(environment, { now });
    expect(first).to.include({ seeded: true, movies: 240, viewers: 40 });
    const events = await opened.store.readAll({ maxCount: 100_000 });
    expect(events.filter((event) => event.type === 'MovieAdded')).to.have.length(240);
    expect(events.filter((event) => event.type === 'MovieRated').length).to.be.greaterThan(400);
    expect(events.filter((event) => event.metadata.bulk !== true).map((event) => event.type)).to.deep.equal([]);
    const demo = events.find((event) => event.type === 'UserRegistered' && event.data.email === demoAccount.email);
    const hash = demo?.data.passwordHash;
    expect(typeof hash === 'string' && (await environment.passwords.verify(hash, demoAccount.password))).to.equal(true);
    expect(await seedDemo(environment, { now })).to.deep.equal({
      seeded: false,
      reason: 'the catalogue is not empty; the demo only fills an empty installation',
    });
  });
});
