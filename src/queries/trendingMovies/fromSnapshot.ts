import * as t from 'io-ts';
import { serviceUnavailable } from '../../infrastructure/http/problem.ts';
import { CursorCount, CursorTime, invalidCursor, readCursor } from '../shared/cursors.ts';
import { encodeCursor } from '../shared/movies.ts';
import type { TrendingWindow } from './query.ts';
import type { TrendingSnapshot } from './snapshot.ts';

// A page of GET /movies/trending read from the snapshot the trending-aggregation job computed last:
// no SQL on the request path.

/** How long a client waits before asking again for a snapshot that is not there yet. */
export const snapshotRetryAfterSeconds = 5;

const SnapshotCursor = t.tuple([CursorTime, CursorCount]);

/**
 * The page of `window` after the cursor's rank. A cursor names the ranking's `to` and a rank: within
 * one snapshot pages fit together exactly; once a newer snapshot replaced it, the next page is taken
 * at the same rank of the newer ranking (whose `from`/`to` the answer names), where a movie may have
 * moved by a few places.
 */
export const pageOfSnapshot = (
  snapshot: TrendingSnapshot | undefined,
  window: TrendingWindow,
  limit: number,
  cursor: string | undefined,
  /** Whether a snapshot computed at this position has every write the request must see (read-your-writes). */
  covers: (snapshotPosition: bigint) => boolean,
) => {
  if (snapshot === undefined) {
    throw serviceUnavailable('The first trending ranking is being computed; retry shortly', snapshotRetryAfterSeconds);
  }
  if (!covers(BigInt(snapshot.position))) {
    // Read-your-writes: the ranking the client asks for is that of a later slot; never a stale one.
    throw serviceUnavailable(
      `The latest trending ranking was computed at position ${snapshot.position}, before a change the request asks to see; it is recomputed on a schedule`,
      snapshotRetryAfterSeconds,
    );
  }
  let offset = 0;
  if (cursor !== undefined) {
    const key = readCursor(SnapshotCursor, cursor);
    if (key === undefined) throw invalidCursor();
    offset = key[1];
  }
  const { items, ...ranking } = snapshot.rankings[window];
  const page = items.slice(offset, offset + limit);
  const next = offset + page.length;
  return {
    ...ranking,
    items: page,
    nextCursor: next < items.length && page.length > 0 ? encodeCursor([Date.parse(ranking.to), next]) : null,
  };
};

/**
 * Whether a snapshot at `snapshotPosition` answers a request with this X-Min-Position header (a
 * malformed one was refused before this): no header, a snapshot at or after it, or, when `unchangedSince`
 * can prove it, nothing changed in the read models the snapshot reads since it was computed (a
 * registration or a watchlist entry does not make every ranking stale).
 */
export const coversMinPosition =
  (header: string, unchangedSince?: (position: bigint) => boolean) =>
  (snapshotPosition: bigint): boolean => {
    if (!/^\d+$/.test(header)) return true;
    return snapshotPosition >= BigInt(header) || (unchangedSince?.(snapshotPosition) ?? false);
  };
