import { BackendTerminatedError, BackendTerminatedUnexpectedlyError, ConnectionError } from 'slonik';
import { isConnectionFailure } from '../eventStore/postgres/connectionErrors.ts';

// Whether an error means that PostgreSQL could not be reached or dropped the connection (a restart, a
// failover, a server not yet accepting connections, a pool that could not connect in time), rather
// than that a statement failed. The HTTP edge answers those 503 with Retry-After: the same request
// may well pass in a moment, and nothing in the request was wrong. Drivers wrap the socket's error
// (slonik's ConnectionError and BackendTerminated…Error carry node-postgres's as `cause`, a refused
// connect to a name with several addresses is an AggregateError), so the whole chain is looked at.

/**
 * node-postgres, when no connection could be had within `connectionTimeoutMillis`: its pool waiting
 * for a free connection, and its client's handshake (the socket's error, as slonik passes it on).
 */
const connectTimeout = /^(timeout exceeded when trying to connect|timeout expired)$/;

export const isDatabaseUnreachable = (error: unknown, depth = 0): boolean => {
  if (!(error instanceof Error) || depth > 5) return false;
  if (error instanceof ConnectionError || error instanceof BackendTerminatedError || error instanceof BackendTerminatedUnexpectedlyError)
    return true;
  if (isConnectionFailure(error) || connectTimeout.test(error.message)) return true;
  if (error instanceof AggregateError && error.errors.some((inner) => isDatabaseUnreachable(inner, depth + 1))) return true;
  return isDatabaseUnreachable(error.cause, depth + 1);
};
