import type { Position } from '../../infrastructure/eventStore/eventStore.ts';
import type { CatalogueChanges } from '../shared/catalogueChanges.ts';

export interface SearchResultCache {
  /**
   * The page `key` names, as JSON: from memory when nothing in the catalogue or the ratings changed
   * since it was read, else from `read` (and kept).
   */
  readonly page: (key: string, read: () => Promise<unknown>) => Promise<string>;
}

interface Entry {
  readonly json: string;
  /** Both read models had applied the log up to here before the page was read. */
  readonly readAt: Position;
}

/**
 * Pages of `GET /movies` kept in memory, as search engines keep the answers to their popular queries:
 * on a catalogue of a million movies a broad search ranks thousands of matches, and the same searches
 * come again and again. A page is trusted only while no movie was added, changed, archived, rated or
 * had a rating retracted since it was read (catalogueChanges.ts proves that): any of those can change
 * any page, so one such event makes every page read before it stale. Under a steady stream of ratings
 * nearly every search is read from the database; between them, a repeated search costs no query.
 * Kept as the JSON it is sent as, and bounded by its total length.
 */
export const createSearchResultCache = (options: {
  readonly changes: CatalogueChanges;
  /** Characters of JSON kept at most (the oldest pages are dropped first). */
  readonly maxCharacters?: number;
}): SearchResultCache => {
  const { changes } = options;
  const maxCharacters = options.maxCharacters ?? 32 * 2 ** 20;
  const entries = new Map<string, Entry>();
  /** Pages being read: a request for one joins its read rather than running the same search again. */
  const reading = new Map<string, { readonly json: Promise<string>; readonly readAt: Position }>();
  let characters = 0;

  const forget = (key: string): void => {
    const entry = entries.get(key);
    if (entry === undefined) return;
    entries.delete(key);
    characters -= entry.json.length;
  };

  const keep = (key: string, entry: Entry): void => {
    forget(key);
    if (entry.json.length > maxCharacters) return;
    entries.set(key, entry);
    characters += entry.json.length;
    for (const [oldest] of entries) {
      if (characters <= maxCharacters) break;
      forget(oldest);
    }
  };

  return {
    page: async (key, read) => {
      const known = entries.get(key);
      if (known !== undefined && changes.unchangedSince(known.readAt)) {
        // Most recently used last, so that the oldest is dropped first.
        entries.delete(key);
        entries.set(key, known);
        return known.json;
      }
      forget(key);
      // A read under way is as good as a new one while nothing changed since it began.
      const pending = reading.get(key);
      if (pending !== undefined && changes.unchangedSince(pending.readAt)) return pending.json;
      const readAt = changes.stand().applied;
      const json = read().then((page) => JSON.stringify(page));
      const started = { json, readAt };
      reading.set(key, started);
      try {
        const text = await json;
        if (changes.unchangedSince(readAt)) keep(key, { json: text, readAt });
        return text;
      } finally {
        if (reading.get(key) === started) reading.delete(key);
      }
    },
  };
};
