import type pg from 'pg';
import { inTransaction } from '../../infrastructure/postgres/transaction.ts';
import { quoteIdentifier } from './compare.ts';

// A fresh shadow fills faster with only the indexes its projection looks rows up by: its unique
// keys (primary keys, unique constraints: ON CONFLICT and key lookups need them). Every other index
// (full-text documents, trigrams, arrays, and the b-trees the queries read by) is dropped when the
// shadow is made and built in one pass at the end, which costs less than keeping it up row by row
// (a rebuild of every read model: 35,000 → 40,000 events/s with the b-trees deferred too). Which
// indexes are owed is kept in the shadow schema's comment, so it survives an interrupted rebuild
// and leaves with the schema.

const marker = 'fastflix:deferred-indexes:';

/** Drops the shadow's indexes other than its unique keys and notes how to make them again. */
export const deferIndexes = (pool: pg.Pool, schema: string): Promise<void> =>
  inTransaction(pool, async (client) => {
    // With only pg_catalog on the path, the definitions name everything else in full (public.gin_trgm_ops).
    await client.query('SET LOCAL search_path TO pg_catalog');
    const { rows } = await client.query<{ name: string; definition: string }>(
      `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_namespace n ON n.oid = i.relnamespace
        WHERE n.nspname = $1 AND NOT x.indisunique
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY i.relname`,
      [schema],
    );
    if (rows.length === 0) return;
    for (const row of rows) await client.query(`DROP INDEX ${quoteIdentifier(schema)}.${quoteIdentifier(row.name)}`);
    const note = marker + JSON.stringify(rows.map((row) => row.definition));
    await client.query(`COMMENT ON SCHEMA ${quoteIdentifier(schema)} IS ${client.escapeLiteral(note)}`);
  });

/** Makes the indexes `deferIndexes` dropped, all in one transaction; a no-op when none are owed. */
export const restoreDeferredIndexes = (pool: pg.Pool, schema: string): Promise<void> =>
  inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ note: string | null }>(
      "SELECT obj_description(to_regnamespace($1)::oid, 'pg_namespace') AS note",
      [schema],
    );
    const note = rows[0]?.note;
    if (note == null || !note.startsWith(marker)) return;
    const definitions: unknown = JSON.parse(note.slice(marker.length));
    if (!Array.isArray(definitions)) throw new Error(`the deferred indexes of ${schema} are recorded in an unknown form`);
    for (const definition of definitions) await client.query(String(definition));
    await client.query(`COMMENT ON SCHEMA ${quoteIdentifier(schema)} IS NULL`);
  });
