import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { EventStore, EventToAppend } from '../../../src/infrastructure/eventStore/eventStore.ts';
import { streamName } from '../../../src/infrastructure/eventStore/streamName.ts';
import { WrongExpectedRevisionError } from '../../../src/infrastructure/eventStore/errors.ts';
import { createMemoryEventStore } from '../../../src/infrastructure/eventStore/memory/memoryEventStore.ts';
import { emailReservationStreams } from '../../../src/infrastructure/personalData/emailReservationStreams.ts';
import { sealingEventStore } from '../../../src/infrastructure/personalData/sealingEventStore.ts';
import { memoryKeys } from '../../support/personalDataKeys.ts';

// The sealing store over the memory store, with the keys in memory: what the log holds (sealed), what
// readers see (opened, or redacted once the key is gone), events written in clear before sealing, and
// reservations made under their old names.

const metadata = { occurredAt: '2026-12-05T10:00:00Z', actorId: null, correlationId: randomUUID(), causationId: null };
const registered = (userId: string, email: string): EventToAppend => ({
  eventId: randomUUID(),
  type: 'UserRegistered',
  schemaVersion: 1,
  data: { userId, email, displayName: 'Zelda Quux', passwordHash: 'x', role: 'user' },
  metadata,
});

describe('the sealing event store', () => {
  let inner: EventStore;
  let keys: ReturnType<typeof memoryKeys>;
  let store: EventStore;
  beforeEach(() => {
    inner = createMemoryEventStore();
    keys = memoryKeys();
    store = sealingEventStore(inner, keys, emailReservationStreams('a secret that is long enough for the test'));
  });

  it('stores personal fields sealed and reads them opened', async () => {
    const userId = randomUUID();
    await store.appendToStream(streamName('user', userId), [registered(userId, 'zelda@example.test')]);
    const [stored] = await inner.readStream(streamName('user', userId));
    expect(JSON.stringify(stored?.data)).not.to.contain('zelda').and.not.to.contain('Zelda');
    expect(stored?.data.email).to.have.property('sealed').that.matches(/^v1:/);
    const [read] = await store.readStream(streamName('user', userId));
    expect(read?.data).to.include({ email: 'zelda@example.test', displayName: 'Zelda Quux' });
  });

  it('reads them redacted once the key is destroyed, on every read path, and refuses to seal anew for that account', async () => {
    const userId = randomUUID();
    await store.appendToStream(streamName('user', userId), [registered(userId, 'zelda@example.test')]);
    await keys.destroy(userId);
    const [read] = await store.readStream(streamName('user', userId));
    expect(read?.data).to.include({ email: '[forgotten]@forgotten.invalid', displayName: '[forgotten]' });
    const [all] = await store.readAll();
    expect(all?.data.displayName).to.equal('[forgotten]');
    const subscription = store.subscribeToAll({ fromPosition: 'start' });
    for await (const batch of subscription) {
      expect(batch.events[0]?.data.displayName).to.equal('[forgotten]');
      break;
    }
    await subscription.close();
    const again = store.appendToStream(streamName('user', userId), [registered(userId, 'zelda@example.test')]);
    await again.then(
      () => expect.fail('sealed for a forgotten account'),
      (error: unknown) => expect(String(error)).to.match(/forgotten/),
    );
  });

  it('reads plain fields written before sealing as they are, and redacted once their account is forgotten', async () => {
    const userId = randomUUID();
    await inner.appendToStream(streamName('user', userId), [registered(userId, 'old@example.test')]);
    expect((await store.readStream(streamName('user', userId)))[0]?.data.email).to.equal('old@example.test');
    await keys.destroy(userId);
    expect((await store.readStream(streamName('user', userId)))[0]?.data).to.include({
      email: '[forgotten]@forgotten.invalid',
      displayName: '[forgotten]',
    });
  });

  it('keeps new reservations under keyed names, finds old ones under their old names, and does not duplicate them', async () => {
    const fresh = streamName('emailReservation', 'aaaa');
    const reservation = (userId: string): EventToAppend => ({
      eventId: randomUUID(),
      type: 'EmailReserved',
      schemaVersion: 1,
      data: { email: 'x@example.test', userId },
      metadata,
    });
    await store.appendToStream(fresh, [reservation(randomUUID())], { expectedRevision: 'no_stream' });
    expect(await inner.readStream(fresh)).to.have.length(0);
    expect(await store.readStream(fresh)).to.have.length(1);

    const old = streamName('emailReservation', 'bbbb');
    await inner.appendToStream(old, [reservation(randomUUID())], { expectedRevision: 'no_stream' });
    expect(await store.readStream(old)).to.have.length(1);
    const duplicate = store.appendToStream(old, [reservation(randomUUID())], { expectedRevision: 'no_stream' });
    await duplicate.then(
      () => expect.fail('a second reservation of an address reserved before sealing'),
      (error: unknown) => expect(error).to.be.instanceOf(WrongExpectedRevisionError),
    );
  });
});
