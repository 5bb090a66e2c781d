import type { EventStore, StoredEvent } from '../eventStore/eventStore.ts';
import type { Logger } from '../logging/logger.ts';

// Which sessions have ended, as every API process learns it from the event log: a logout or a
// revoked refresh token ends one session; a password change ends all of the account's sessions but
// the one that made it; a reset, a deactivation or forgetting the account ends all of them. The access-token guard asks this
// on every request, so it is answered from memory, never with a database round trip.

export interface EndedSessions {
  /** Whether a token of session `sid` for user `sub`, issued at `iat` (seconds since the epoch), is of an ended session. */
  readonly ended: (claims: { readonly sub: string; readonly sid: string; readonly iat: number }) => boolean;
  readonly close: () => Promise<void>;
}

const sessionEndingTypes = ['SessionRevoked', 'PasswordChanged', 'PasswordReset', 'UserDeactivated', 'UserForgotten'] as const;

interface AccountEnd {
  /** Milliseconds since the epoch: tokens issued before it are of ended sessions... */
  readonly at: number;
  /** ...but this session's. */
  readonly except: string | null;
}

/**
 * Follows the log from its start (the events it reads are filtered to the few that end sessions) and
 * resolves once it has read to the head, so that a process never serves before it knows every ended
 * session whose tokens may still be unexpired. Entries older than an access token's lifetime are
 * dropped: every token issued before them has expired.
 */
export const followEndedSessions = async (options: {
  readonly store: EventStore;
  readonly log: Logger;
  readonly accessTokenTtlSeconds: number;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** How long to wait for the log to be read to its head before serving anyway (and saying so). */
  readonly catchUpMs?: number;
}): Promise<EndedSessions> => {
  const { store, log } = options;
  const revoked = new Map<string, number>();
  const accounts = new Map<string, AccountEnd>();
  const keepMs = (options.accessTokenTtlSeconds + 120) * 1000;

  const apply = (event: StoredEvent): void => {
    const { data } = event;
    const userId = typeof data.userId === 'string' ? data.userId : undefined;
    const changedAt = typeof data.changedAt === 'string' ? Date.parse(data.changedAt) : undefined;
    switch (event.type) {
      case 'SessionRevoked':
        if (typeof data.sessionId === 'string') revoked.set(data.sessionId, Date.parse(event.metadata.occurredAt));
        return;
      // Password events written before they ended sessions carry no changedAt, and ended none.
      case 'PasswordChanged':
        if (userId !== undefined && changedAt !== undefined)
          accounts.set(userId, { at: changedAt, except: typeof data.keptSessionId === 'string' ? data.keptSessionId : null });
        return;
      case 'PasswordReset':
        if (userId !== undefined && changedAt !== undefined) accounts.set(userId, { at: changedAt, except: null });
        return;
      case 'UserDeactivated':
      case 'UserForgotten':
        if (userId !== undefined) accounts.set(userId, { at: Date.parse(event.metadata.occurredAt), except: null });
        return;
    }
  };

  const forgetExpired = (): void => {
    const horizon = options.now() - keepMs;
    for (const [sessionId, at] of revoked) if (at < horizon) revoked.delete(sessionId);
    for (const [userId, end] of accounts) if (end.at < horizon) accounts.delete(userId);
  };

  // Read to here before serving; an empty log has nothing to read (and its subscription yields no batch).
  const head = await store.headPosition();
  const subscription = store.subscribeToAll({ fromPosition: 'start', filter: { eventTypes: [...sessionEndingTypes] } });
  let closing = false;
  let markCaughtUp: () => void = () => undefined;
  const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
  if (head === null) markCaughtUp();
  const following = (async () => {
    let applied = 0;
    for await (const batch of subscription) {
      for (const event of batch.events) apply(event);
      applied += batch.events.length;
      if (applied > 1_000) {
        forgetExpired();
        applied = 0;
      }
      if (batch.caughtUp || (head !== null && batch.checkpoint >= head)) markCaughtUp();
    }
  })().catch((error: unknown) => {
    if (!closing)
      log.error({ err: error }, 'lost the subscription to ended sessions; tokens of sessions ended from now on are not refused');
  });

  const waitMs = options.catchUpMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    caughtUp.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), waitMs))),
  ]);
  clearTimeout(timer);
  if (timedOut) log.warn({ waitMs }, 'the log of ended sessions was not read to its head in time; serving while it is');

  return {
    ended: ({ sub, sid, iat }) => {
      if (revoked.has(sid)) return true;
      const end = accounts.get(sub);
      // iat carries milliseconds (tokens.ts): a login a moment after a reset is after it.
      return end !== undefined && end.except !== sid && iat * 1000 < end.at;
    },
    close: async () => {
      closing = true;
      await subscription.close();
      await following;
    },
  };
};
