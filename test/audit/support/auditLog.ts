import { randomUUID } from 'node:crypto';
import type { EventStore, EventToAppend, JsonObject, StreamName } from '../../../src/infrastructure/eventStore/eventStore.ts';
import { streamName } from '../../../src/infrastructure/eventStore/streamName.ts';

// Accounts and viewings appended one command at a time, as the service would, each with its actor and
// correlation id: a small log whose every event is known, to tamper with and fold by hand.

export const event = (
  type: string,
  data: JsonObject,
  metadata: { actorId?: string | null; correlationId?: string; causationId?: string | null; occurredAt?: string } = {},
): EventToAppend => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: {
    occurredAt: metadata.occurredAt ?? '2026-12-01T10:00:00.000Z',
    actorId: metadata.actorId ?? null,
    correlationId: metadata.correlationId ?? randomUUID(),
    causationId: metadata.causationId ?? null,
  },
});

export interface Account {
  readonly userId: string;
  readonly stream: StreamName;
}

/** A user who registers, is made admin, changes their password and is deactivated: four commands. */
export const appendAccountHistory = async (store: EventStore, name: string): Promise<Account> => {
  const userId = randomUUID();
  const stream = streamName('user', userId);
  const by = { actorId: userId };
  const email = `${name}@example.com`;
  await store.appendToStream(
    stream,
    [event('UserRegistered', { userId, email, displayName: name, passwordHash: 'hash-1', role: 'user' }, by)],
    { expectedRevision: 'no_stream' },
  );
  await store.appendToStream(stream, [event('RoleChanged', { userId, role: 'admin', previousRole: 'user' }, by)], { expectedRevision: 0n });
  await store.appendToStream(
    stream,
    [event('PasswordChanged', { userId, passwordHash: 'hash-2', changedAt: '2026-12-01T11:00:00.000Z' }, by)],
    { expectedRevision: 1n },
  );
  await store.appendToStream(stream, [event('UserDeactivated', { userId }, by)], { expectedRevision: 2n });
  return { userId, stream };
};

/** A viewer watching and rating one movie, command by command: five events in one stream. */
export const appendViewing = async (store: EventStore, userId: string): Promise<StreamName> => {
  const movieId = randomUUID();
  const stream = streamName('viewing', `${userId}_${movieId}`);
  const by = { actorId: userId };
  const steps = [
    event('AddedToWatchlist', { userId, movieId }, by),
    event('MovieWatched', { userId, movieId, watchedAt: '2026-12-01T20:00:00.000Z' }, by),
    event('MovieRated', { userId, movieId, score: 3.5, previousScore: null }, by),
    event('MovieRated', { userId, movieId, score: 4.5, previousScore: 3.5 }, by),
    event('RemovedFromWatchlist', { userId, movieId }, by),
  ];
  for (const [index, step] of steps.entries()) {
    await store.appendToStream(stream, [step], { expectedRevision: index === 0 ? 'no_stream' : BigInt(index - 1) });
  }
  return stream;
};
