import type { Position as EsdbPosition } from '@eventstore/db-client';
import type { Position } from '../eventStore.ts';

// Our Position is EventStoreDB's commit position. EventStoreDB positions are pairs {commit, prepare},
// but every event appended through gRPC (all appends since EventStoreDB 20) commits itself: its
// commit and prepare positions are both the log position of its own record, distinct and increasing
// from event to event. So the commit position alone orders and identifies events, and a stored
// Position p stands for {commit: p, prepare: p}. Only events written in explicit transactions of the
// legacy TCP API share one commit position; logs holding those are not supported.
//
// A position given back to EventStoreDB must be one it can read from (the start of a record), which
// is why this adapter only ever hands out positions of events it has read.

/** What EventStoreDB sends for "no position" (ulong.MaxValue): stream reads before 22.6, for one. */
const noPosition = 2n ** 64n - 1n;

export const toEsdbPosition = (position: Position): EsdbPosition => ({ commit: position, prepare: position });

export const fromEsdbPosition = (position: EsdbPosition | undefined): Position | undefined =>
  position === undefined || position.commit === noPosition ? undefined : position.commit;
