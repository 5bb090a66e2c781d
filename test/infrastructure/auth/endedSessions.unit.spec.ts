import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { followEndedSessions } from '../../../src/infrastructure/auth/endedSessions.ts';
import type { EventStore, StreamName } from '../../../src/infrastructure/eventStore/eventStore.ts';
import { createMemoryEventStore } from '../../../src/infrastructure/eventStore/memory/memoryEventStore.ts';
import { capturingLogger } from '../../support/logCapture.ts';
import { waitFor } from '../../support/waitFor.ts';

// The set of ended sessions, over the in-memory store: what it knows before it lets a process serve,
// and what it learns afterwards.

const append = async (store: EventStore, stream: string, type: string, data: Record<string, string>, occurredAt: string) =>
  store.appendToStream(
    stream as StreamName,
    [
      {
        eventId: randomUUID(),
        type,
        schemaVersion: 1,
        data,
        metadata: { occurredAt, actorId: null, correlationId: 'test', causationId: null },
      },
    ],
    { expectedRevision: 'any' },
  );

describe('the ended sessions every API process keeps', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');
  const seconds = (iso: string): number => Date.parse(iso) / 1000;
  const userId = randomUUID();
  const [ended, kept, other] = [randomUUID(), randomUUID(), randomUUID()];

  it('serves at once on an empty log, without waiting out its catch-up time', async () => {
    const { log, records } = capturingLogger();
    const sessions = await followEndedSessions({
      store: createMemoryEventStore(),
      log,
      accessTokenTtlSeconds: 900,
      now: () => now,
      catchUpMs: 200,
    });
    await sessions.close();
    expect(records.map((record) => record.msg)).to.not.include(
      'the log of ended sessions was not read to its head in time; serving while it is',
    );
  });

  it('knows, before it resolves, every session the log ended', async () => {
    const store = createMemoryEventStore();
    await append(store, `session-${ended}`, 'SessionRevoked', { sessionId: ended, userId, reason: 'logout' }, '2026-12-04T11:59:00Z');
    await append(
      store,
      `user-${userId}`,
      'PasswordChanged',
      { userId, passwordHash: 'h', changedAt: '2026-12-04T11:59:30.500Z', keptSessionId: kept },
      '2026-12-04T11:59:30.500Z',
    );
    const { log } = capturingLogger();
    const sessions = await followEndedSessions({ store, log, accessTokenTtlSeconds: 900, now: () => now });
    try {
      expect(sessions.ended({ sub: userId, sid: ended, iat: seconds('2026-12-04T11:58:00Z') })).to.equal(true);
      // Another session's token issued before the change, by a millisecond: ended.
      expect(sessions.ended({ sub: userId, sid: other, iat: seconds('2026-12-04T11:59:30.499Z') })).to.equal(true);
      // Issued after it (a new login), or of the session that changed it: not ended.
      expect(sessions.ended({ sub: userId, sid: other, iat: seconds('2026-12-04T11:59:30.501Z') })).to.equal(false);
      expect(sessions.ended({ sub: userId, sid: kept, iat: seconds('2026-12-04T11:50:00Z') })).to.equal(false);
    } finally {
      await sessions.close();
    }
  });

  it('learns of sessions ended afterwards', async () => {
    const store = createMemoryEventStore();
    const { log } = capturingLogger();
    const sessions = await followEndedSessions({ store, log, accessTokenTtlSeconds: 900, now: () => now });
    try {
      expect(sessions.ended({ sub: userId, sid: other, iat: seconds('2026-12-04T11:00:00Z') })).to.equal(false);
      await append(store, `user-${userId}`, 'UserDeactivated', { userId }, '2026-12-04T11:59:00Z');
      await waitFor(() => sessions.ended({ sub: userId, sid: other, iat: seconds('2026-12-04T11:00:00Z') }), 2_000);
    } finally {
      await sessions.close();
    }
  });
});
