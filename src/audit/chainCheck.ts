import { chainHash, digestOf, genesisHash, type ChainRow } from './chainRow.ts';

// Recomputes every stream's chain as the log is read, and checks each against the head its stream
// row records (`event_streams`: revision and last hash), which is how a tail cut off a stream, a
// stream deleted whole, or events added behind the store's back show. Pure: the caller feeds rows.
//
// What differs, when an event's stored hash is not the hash recomputed from its content:
//   content  its data, metadata, type or id were changed after it was hashed: the chain goes on
//            from its stored hash (the next event's hash, or the recorded head, agrees with it);
//   hash     its stored hash was changed: the chain goes on from the recomputed one.
// And at the tail: `missing` (the head records more events than the log holds, or a revision is
// skipped), `extra` (events beyond the recorded head, or a stream with no head), `head` (the
// recorded last hash is not the last event's).

export type BreakKind = 'content' | 'hash' | 'missing' | 'extra' | 'head';

export interface ChainBreak {
  readonly kind: BreakKind;
  readonly streamId: string;
  /** The revision where the chain breaks (for `missing`, the first revision that is not there). */
  readonly revision: bigint;
  /** The event's position; for `missing`, the position of the last event before the gap (null: none left). */
  readonly position: bigint | null;
  readonly detail: string;
}

export interface RecordedHead {
  readonly revision: bigint;
  readonly lastHash: Buffer;
}

interface StreamCheck {
  next: bigint;
  hash: Buffer;
  lastPosition: bigint | null;
  suspect?: { readonly revision: bigint; readonly position: bigint; readonly stored: Buffer; readonly recomputed: Buffer };
  early?: Map<bigint, ChainRow>;
  broken: boolean;
}

export interface ChainChecker {
  readonly add: (row: ChainRow) => void;
  /** Every break found, by position (a stream with no event left comes last). Call once, after the last row. */
  readonly finish: () => readonly ChainBreak[];
}

const hex = (buffer: Buffer): string => buffer.toString('hex');

/** `heads`: every stream's recorded head, from the same snapshot as the rows. */
export const chainChecker = (heads: ReadonlyMap<string, RecordedHead>): ChainChecker => {
  const streams = new Map<string, StreamCheck>();
  const breaks: ChainBreak[] = [];

  const broke = (check: StreamCheck, found: ChainBreak): void => {
    check.broken = true;
    breaks.push(found);
  };

  /** The event after a suspect one tells which of the two changed. */
  const settleSuspect = (check: StreamCheck, streamId: string, continuesFrom: (previous: Buffer) => boolean): void => {
    const suspect = check.suspect;
    if (suspect === undefined) return;
    const kind: BreakKind = continuesFrom(suspect.recomputed) && !continuesFrom(suspect.stored) ? 'hash' : 'content';
    broke(check, {
      kind,
      streamId,
      revision: suspect.revision,
      position: suspect.position,
      detail:
        kind === 'hash'
          ? `its stored hash ${hex(suspect.stored)} was changed: its content hashes to ${hex(suspect.recomputed)}, which the chain goes on from`
          : `its content (data, metadata, type or id) was changed after it was hashed: it now hashes to ${hex(suspect.recomputed)}, not ${hex(suspect.stored)}`,
    });
  };

  const apply = (check: StreamCheck, row: ChainRow): void => {
    const head = heads.get(row.streamId);
    if (head !== undefined && row.revision > head.revision) {
      settleSuspect(check, row.streamId, () => false);
      if (!check.broken) {
        broke(check, {
          kind: 'extra',
          streamId: row.streamId,
          revision: row.revision,
          position: row.position,
          detail: `an event beyond the recorded head (revision ${head.revision}): added behind the store's back`,
        });
      }
      return;
    }
    const digest = digestOf(row);
    if (check.suspect !== undefined) {
      settleSuspect(check, row.streamId, (previous) => chainHash(previous, digest).equals(row.hash));
      return;
    }
    const recomputed = chainHash(check.hash, digest);
    if (!recomputed.equals(row.hash)) {
      check.suspect = { revision: row.revision, position: row.position, stored: row.hash, recomputed };
    }
    check.hash = row.hash;
    check.next = row.revision + 1n;
    check.lastPosition = row.position;
  };

  const add = (row: ChainRow): void => {
    let check = streams.get(row.streamId);
    if (check === undefined) {
      check = { next: 0n, hash: genesisHash, lastPosition: null, broken: false };
      streams.set(row.streamId, check);
    }
    if (check.broken) return;
    // Within a stream, revision order and position order can differ (two appends racing for one
    // stream take positions from their transaction ids, and the lock in the other order): a revision
    // that comes early waits for the ones before it.
    if (row.revision !== check.next) {
      (check.early ??= new Map()).set(row.revision, row);
      return;
    }
    apply(check, row);
    for (let next = check.early?.get(check.next); next !== undefined && !check.broken; next = check.early?.get(check.next)) {
      check.early?.delete(next.revision);
      apply(check, next);
    }
  };

  const finishStream = (streamId: string, check: StreamCheck): void => {
    const head = heads.get(streamId);
    const earliest = [...(check.early?.values() ?? [])].sort((a, b) => (a.revision < b.revision ? -1 : 1))[0];
    if (earliest !== undefined) {
      settleSuspect(check, streamId, () => false);
      if (!check.broken) {
        broke(check, {
          kind: 'missing',
          streamId,
          revision: check.next,
          position: check.lastPosition,
          detail: `revision ${check.next} is missing: the log goes on at revision ${earliest.revision} (position ${earliest.position})`,
        });
      }
      return;
    }
    const lastRevision = check.next - 1n;
    if (head === undefined) {
      settleSuspect(check, streamId, () => false);
      if (!check.broken) {
        broke(check, {
          kind: 'extra',
          streamId,
          revision: lastRevision,
          position: check.lastPosition,
          detail: 'the stream has events but no recorded head: its row in event_streams was deleted, or it was added behind the store',
        });
      }
      return;
    }
    if (check.suspect !== undefined) {
      const suspect = check.suspect;
      settleSuspect(check, streamId, (previous) => head.revision === suspect.revision && previous.equals(head.lastHash));
      return;
    }
    if (head.revision > lastRevision) {
      broke(check, {
        kind: 'missing',
        streamId,
        revision: lastRevision + 1n,
        position: check.lastPosition,
        detail: `the recorded head is revision ${head.revision} but the log ends at revision ${lastRevision}: ${head.revision - lastRevision} event(s) missing at the tail`,
      });
    } else if (!head.lastHash.equals(check.hash)) {
      broke(check, {
        kind: 'head',
        streamId,
        revision: lastRevision,
        position: check.lastPosition,
        detail: `the recorded last hash ${hex(head.lastHash)} is not the last event's ${hex(check.hash)}`,
      });
    }
  };

  const finish = (): readonly ChainBreak[] => {
    for (const [streamId, check] of streams) if (!check.broken) finishStream(streamId, check);
    for (const [streamId, head] of heads) {
      if (streams.has(streamId)) continue;
      breaks.push({
        kind: 'missing',
        streamId,
        revision: 0n,
        position: null,
        detail: `the recorded head is revision ${head.revision} but the log holds none of the stream's events: the stream was deleted`,
      });
    }
    return breaks.sort((a, b) =>
      a.position === null ? 1 : b.position === null ? -1 : a.position < b.position ? -1 : a.position > b.position ? 1 : 0,
    );
  };

  return { add, finish };
};
