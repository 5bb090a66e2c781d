import { eventTypeFilter, excludeSystemEvents, streamNameFilter } from '@eventstore/db-client';
import type { Filter } from '@eventstore/db-client';
import type { EventFilter } from '../eventStore.ts';

/**
 * How many events the server considers per filtered page. Pinned, rather than left to the server's
 * default, because resuming a subscription depends on it (see `subscription.ts`).
 */
export const searchWindow = 32;

/** The server reports a checkpoint every `checkpointInterval × searchWindow` events it considers. */
const checkpointInterval = 32;

export interface ServerFilter {
  readonly filter: Filter;
  /** Whether the server lets a record through: the same test, run here on records read directly. */
  readonly matches: (record: { readonly streamId: string; readonly type: string }) => boolean;
}

/**
 * The port's filter as an EventStoreDB server-side filter, which always leaves out EventStoreDB's
 * own events. Event types go as one anchored regex of the escaped names: EventStoreDB's event type
 * prefixes would let `MovieAdded` through a filter on `Movie`.
 */
export const serverFilter = (filter: EventFilter | undefined, checkpointReached: Filter['checkpointReached']): ServerFilter => {
  const options = { maxSearchWindow: searchWindow, checkpointInterval, ...(checkpointReached === undefined ? {} : { checkpointReached }) };
  if (filter === undefined) {
    return { filter: excludeSystemEvents(options), matches: (record) => record.type !== '' && !record.type.startsWith('$') };
  }
  if ('eventTypes' in filter) {
    const regex = `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$`;
    const pattern = new RegExp(regex);
    return { filter: eventTypeFilter({ ...options, regex }), matches: (record) => pattern.test(record.type) };
  }
  const prefixes = [...filter.streamPrefixes];
  return {
    filter: streamNameFilter({ ...options, prefixes }),
    matches: (record) => prefixes.some((prefix) => record.streamId.startsWith(prefix)),
  };
};

// The characters special to both JavaScript and .NET regular expressions (the server's dialect).
const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\#\s-]/g, (character) => `\\${character}`);
