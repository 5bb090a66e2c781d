import { AccessDeniedError, isCommandError } from '@eventstore/db-client';
import { EventStoreAccessDeniedError } from '../errors.ts';
import { isTransient } from './clientErrors.ts';

// When a subscription call to EventStoreDB fails, it is opened again from the last position passed,
// unless the failure is one that another try cannot mend.

/** Thrown when the server ends a subscription call, which no catch-up subscription does of its own. */
export class SubscriptionEndedError extends Error {
  override readonly name = 'SubscriptionEndedError';
  constructor() {
    super('EventStoreDB ended the subscription to $all');
  }
}

/**
 * Connection and server failures (unavailable, deadline, not the leader, "consumer too slow", the
 * call ended, errors the server does not name) are tried again; refused credentials, and faults
 * that did not come from the server at all (a bug here), are not.
 */
export const shouldResubscribe = (error: unknown): boolean => {
  if (error instanceof AccessDeniedError || error instanceof EventStoreAccessDeniedError) return false;
  if (error instanceof SubscriptionEndedError || isTransient(error)) return true;
  return error instanceof Error && isCommandError(error);
};

/** 0.1 s after the first loss, doubling to at most 5 s while the server stays away. */
export const resubscribeDelay = (attempt: number): number => Math.min(100 * 2 ** attempt, 5_000);
