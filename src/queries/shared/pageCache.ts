import { LRUCache } from 'lru-cache';
import type { Position } from '../../infrastructure/eventStore/eventStore.ts';
import type { ReadModelChanges } from './readModelChanges.ts';

export interface PageCache {
  /**
   * The page `key` names, as JSON: from memory when nothing in the read models it was read from
   * changed since it was read (and, with `validUntil`, that time has not come), else from `read`
   * (and kept).
   */
  readonly page: (key: string, read: () => Promise<unknown>, options?: { readonly validUntil?: number }) => Promise<string>;
}

interface Entry {
  readonly json: string;
  /** The read models had all applied the log up to here before the page was read. */
  readonly readAt: Position;
  /** Milliseconds since the epoch, by the cache's clock; after it the page is read again. */
  readonly validUntil: number;
}

/**
 * Pages of a list kept in memory, as search engines keep the answers to their popular queries: on a
 * catalogue of a million movies a broad search ranks thousands of matches, trending scores every movie
 * with activity, and the same requests come again and again. A page is trusted only while none of the
 * read models it was read from changed since (readModelChanges.ts proves that): one such change makes
 * every page read before it stale. Under a steady stream of ratings nearly every page is read from the
 * database; between them, a repeated one costs no query. A page that also depends on the time (a
 * window ending now) says until when it holds. Kept as the JSON it is sent as, and bounded by its
 * total length.
 */
export const createPageCache = (options: {
  readonly changes: ReadModelChanges;
  /** Characters of JSON kept at most (the oldest pages are dropped first). */
  readonly maxCharacters?: number;
  /** Milliseconds since the epoch; `validUntil` is on this clock. */
  readonly now?: () => number;
}): PageCache => {
  const { changes } = options;
  const maxCharacters = options.maxCharacters ?? 32 * 2 ** 20;
  const now = options.now ?? Date.now;
  // Least recently used pages go first; a page longer than the whole budget is not kept.
  const entries = new LRUCache<string, Entry>({ maxSize: maxCharacters, sizeCalculation: (entry) => Math.max(1, entry.json.length) });
  /** Pages being read: a request for one joins its read rather than running the same query again. */
  const reading = new Map<string, { readonly json: Promise<string>; readonly readAt: Position; readonly validUntil: number }>();

  const current = (page: { readonly readAt: Position; readonly validUntil: number }): boolean =>
    now() < page.validUntil && changes.unchangedSince(page.readAt);

  return {
    page: async (key, read, pageOptions) => {
      const known = entries.get(key);
      if (known !== undefined && current(known)) return known.json;
      entries.delete(key);
      // A read under way is as good as a new one while nothing changed since it began.
      const pending = reading.get(key);
      if (pending !== undefined && current(pending)) return pending.json;
      const readAt = changes.stand().applied;
      const validUntil = pageOptions?.validUntil ?? Number.POSITIVE_INFINITY;
      const json = read().then((page) => JSON.stringify(page));
      const started = { json, readAt, validUntil };
      reading.set(key, started);
      try {
        const text = await json;
        if (current(started)) entries.set(key, { json: text, readAt, validUntil });
        return text;
      } finally {
        if (reading.get(key) === started) reading.delete(key);
      }
    },
  };
};
