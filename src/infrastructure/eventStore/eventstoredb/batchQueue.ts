import type { Position, StoredEvent } from '../eventStore.ts';

/** A position a subscription has passed, with the event to deliver there (none: a checkpoint only). */
export interface Passed {
  readonly position: Position;
  readonly event?: StoredEvent;
}

export interface BatchQueue {
  readonly length: () => number;
  /** How many of the items carry events. */
  readonly events: () => number;
  /** Positions must come in increasing order. */
  readonly push: (passed: Passed) => void;
  /** Up to `maxEvents` events, with every position passed before the next event; undefined when empty. */
  readonly take: (maxEvents: number) => { readonly events: StoredEvent[]; readonly checkpoint: Position } | undefined;
}

/** What a subscription has received and not yet handed out, in position order. */
export const createBatchQueue = (): BatchQueue => {
  const items: Passed[] = [];
  let events = 0;
  return {
    length: () => items.length,
    events: () => events,
    push: (passed) => {
      const last = items[items.length - 1];
      // Of a run of positions without events, only the last one matters.
      if (passed.event === undefined && last !== undefined && last.event === undefined) items[items.length - 1] = passed;
      else items.push(passed);
      if (passed.event !== undefined) events++;
    },
    take: (maxEvents) => {
      const batch: StoredEvent[] = [];
      let checkpoint: Position | undefined;
      let taken = 0;
      for (const item of items) {
        if (item.event !== undefined && batch.length >= maxEvents) break;
        if (item.event !== undefined) batch.push(item.event);
        checkpoint = item.position;
        taken++;
      }
      items.splice(0, taken);
      events -= batch.length;
      return checkpoint === undefined ? undefined : { events: batch, checkpoint };
    },
  };
};
