import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { forgetUser } from '../../src/commands/forgetUser/handler.ts';
import { RegisterUserRequest } from '../../src/commands/registerUser/command.ts';
import { registerUser } from '../../src/commands/registerUser/handler.ts';
import { ownerOf } from '../../src/commands/shared/reservations.ts';
import { domainEventDefinitions } from '../../src/domain/events.ts';
import { Email } from '../../src/domain/shared/codecs.ts';
import { createPasswordHasher } from '../../src/infrastructure/auth/passwords.ts';
import { eventRegistry } from '../../src/infrastructure/eventStore/eventRegistry.ts';
import type { EventStore } from '../../src/infrastructure/eventStore/eventStore.ts';
import { randomId } from '../../src/infrastructure/ids.ts';
import { createMemoryEventStore } from '../../src/infrastructure/eventStore/memory/memoryEventStore.ts';
import { emailReservationStream } from '../../src/infrastructure/eventStore/streams.ts';
import { emailReservationStreams } from '../../src/infrastructure/personalData/emailReservationStreams.ts';
import { sealingEventStore } from '../../src/infrastructure/personalData/sealingEventStore.ts';
import { memoryKeys } from '../support/personalDataKeys.ts';

// A forgetting cut short (a crash, a lost database) is finished by the next request: each step is
// safe to repeat, and the key is destroyed last, since releasing the address needs it.

describe('forgetting a user, cut short', () => {
  it('is finished by a second request: the address released, the key destroyed, and the answer says it was forgotten before', async () => {
    const keys = memoryKeys();
    const inner = createMemoryEventStore();
    let failReservationAppends = true;
    // The release of the reservation fails once, as if the process died after UserForgotten was appended.
    const flaky: EventStore = {
      ...inner,
      appendToStream: (stream, events, options) =>
        failReservationAppends && events.some((event) => event.type === 'EmailReleased')
          ? Promise.reject(new Error('the database went away'))
          : inner.appendToStream(stream, events, options),
    };
    const store = sealingEventStore(flaky, keys, emailReservationStreams('a secret that is long enough for the test'));
    const registry = eventRegistry(domainEventDefinitions);
    const environment = { store, registry, erasePersonalData: keys.destroy };
    const metadata = { occurredAt: new Date().toISOString(), actorId: null, correlationId: randomUUID(), causationId: null };
    const request = RegisterUserRequest.decode({
      email: 'cut.short@example.test',
      password: 'correct horse battery',
      displayName: 'Cut Short',
    });
    if (E.isLeft(request)) throw new Error('bad request');
    const registered = await registerUser({ store, registry, passwords: createPasswordHasher(10), newId: randomId }, request.right, {
      role: 'user',
      metadata,
    });
    if (E.isLeft(registered)) throw new Error('not registered');
    const { userId } = registered.right;
    const email = Email.decode('cut.short@example.test');
    if (E.isLeft(email)) throw new Error('bad address');
    const reservation = emailReservationStream(email.right);

    const first = await forgetUser(environment, { userId, metadata }).catch((error: unknown) => error);
    expect(String(first)).to.contain('the database went away');
    expect(await ownerOf(environment, reservation)).to.equal(userId);
    expect(keys.rows.get(userId)).to.be.instanceOf(Buffer);

    failReservationAppends = false;
    const second = await forgetUser(environment, { userId, metadata });
    expect(E.isRight(second) && second.right.forgotten).to.equal(false);
    expect(await ownerOf(environment, reservation)).to.equal(undefined);
    expect(keys.rows.get(userId)).to.equal(null);
  });
});
