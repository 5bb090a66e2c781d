import { LRUCache } from 'lru-cache';
import type { Position, StreamName, StreamRevision } from '../../infrastructure/eventStore/eventStore.ts';

export type Revision = StreamRevision | 'no_stream';

/** A stream's state folded up to `revision`, as this process last read or wrote it. */
export interface KnownStream {
  readonly state: unknown;
  readonly revision: Revision;
  readonly position: Position | null;
}

/**
 * The states of the streams this process decided on lately, so that a command on one of them need not
 * read it again: half of a rating's round trips to the database were that read. Entries may be stale
 * (another process, or an import, appended since): that is safe, because a decision made on one is
 * appended with the remembered revision as the expected one and fails as a conflict if the stream has
 * moved on, and every other answer (a refusal, nothing to do) is checked against the stream itself
 * before it is given (see handleCommand).
 *
 * Least recently used entries go first beyond `capacity`. A stream's state at a revision never
 * changes, so an entry is only ever replaced by one at a later revision: concurrent commands on one
 * stream cannot put an older state back.
 */
export interface StreamStates {
  readonly recall: (stream: StreamName) => KnownStream | undefined;
  readonly remember: (stream: StreamName, known: KnownStream) => void;
  readonly forget: (stream: StreamName) => void;
  readonly size: () => number;
}

export const createStreamStates = (capacity = 50_000): StreamStates => {
  const entries = new LRUCache<StreamName, KnownStream>({ max: capacity });
  return {
    recall: (stream) => entries.get(stream),
    remember: (stream, known) => {
      const current = entries.peek(stream);
      if (current !== undefined && !isLater(known.revision, current.revision)) return;
      entries.set(stream, known);
    },
    forget: (stream) => {
      entries.delete(stream);
    },
    size: () => entries.size,
  };
};

const isLater = (candidate: Revision, current: Revision): boolean =>
  candidate !== 'no_stream' && (current === 'no_stream' || candidate > current);
