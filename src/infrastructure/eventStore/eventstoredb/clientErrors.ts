import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  StreamDeletedError as ClientStreamDeletedError,
  TimeoutError,
  UnavailableError,
} from '@eventstore/db-client';
import { EventStoreAccessDeniedError, EventStoreUnavailableError, InvalidEventError, StreamDeletedError } from '../errors.ts';
import type { StreamName } from '../eventStore.ts';

// The client's failures in the port's vocabulary, translated once here so that no client class
// leaks to callers (WrongExpectedVersion and StreamNotFound are answers, handled where they come).

/** Whether the failure says nothing about the request itself: another try (on another node) may pass. */
export const isTransient = (error: unknown): boolean =>
  error instanceof UnavailableError ||
  error instanceof DeadlineExceededError ||
  error instanceof TimeoutError ||
  error instanceof CancelledError ||
  error instanceof NotLeaderError ||
  error instanceof EventStoreUnavailableError ||
  isDiscoveryFailure(error);

/** The client's cluster discovery gives up with a plain Error (discovery.js), no class of its own. */
const isDiscoveryFailure = (error: unknown): boolean =>
  error instanceof Error && /^Failed to discover after \d+ attempts/.test(error.message);

export const translateError = (error: unknown, operation: string, stream?: StreamName): unknown => {
  if (error instanceof ClientStreamDeletedError && stream !== undefined) return new StreamDeletedError(stream);
  if (error instanceof MaxAppendSizeExceededError) {
    return new InvalidEventError('append', [
      `the append is larger than EventStoreDB's limit of ${error.maxAppendSize} bytes (its MaxAppendSize setting)`,
    ]);
  }
  if (error instanceof AccessDeniedError) return new EventStoreAccessDeniedError(operation, { cause: error });
  if (error instanceof NotLeaderError) {
    return new EventStoreUnavailableError(`${operation}: the node is not the leader and the leader did not answer`, { cause: error });
  }
  if (isTransient(error) && !(error instanceof EventStoreUnavailableError)) {
    return new EventStoreUnavailableError(`${operation}: ${firstLine(error)}`, { cause: error });
  }
  return error;
};

/** Reading of a client stream, bounded: gRPC reads carry no deadline in this client (it passes Infinity). */
export interface CancellableRead<T> extends AsyncIterable<T> {
  readonly cancel: () => Promise<void>;
}

/**
 * Everything a read yields, failing with EventStoreUnavailableError when the server sends nothing for
 * `idleMs` (a half-open connection otherwise hangs the read forever).
 */
export const drain = async <T>(reading: CancellableRead<T>, idleMs: number, operation: string): Promise<T[]> => {
  const items: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  let rejectIdle: ((error: Error) => void) | undefined;
  const idle = new Promise<never>((_, reject) => {
    rejectIdle = reject;
  });
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      void reading.cancel().catch(() => undefined);
      rejectIdle?.(new EventStoreUnavailableError(`${operation}: no answer within ${idleMs} ms`));
    }, idleMs);
  };
  const iterator = reading[Symbol.asyncIterator]();
  try {
    arm();
    for (;;) {
      const next = await Promise.race([iterator.next(), idle]);
      if (next.done === true) return items;
      items.push(next.value);
      arm();
    }
  } finally {
    clearTimeout(timer);
  }
};

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
