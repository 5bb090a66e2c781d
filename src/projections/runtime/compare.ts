import type pg from 'pg';

export interface TableComparison {
  readonly table: string;
  /** Null: the table does not exist on that side. */
  readonly liveRows: number | null;
  readonly shadowRows: number | null;
  readonly same: boolean;
  /** A few rows (as text) found on one side and not the other, when they differ. */
  readonly onlyLive: readonly string[];
  readonly onlyShadow: readonly string[];
}

export interface Comparison {
  readonly identical: boolean;
  readonly tables: readonly TableComparison[];
}

const sampleSize = 3;

export const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Compares two schemas holding the same read model, table by table: the row count and the sum of a
 * 64-bit hash of every row. The sum does not depend on the order of the rows, so it needs no sort
 * and no memory (an md5 over the ordered rows took three times as long). A row is hashed from its
 * values (`hash_record_extended`, twice as fast as hashing its text) when every column's type can
 * be, and from its text otherwise (a tsvector has no hash function). Both sides must have applied
 * the same events and run the same DDL, so that columns line up.
 * The two sides are read at the same time, on two connections.
 */
export const compareSchemas = async (db: pg.Pool, live: string, shadow: string): Promise<Comparison> => {
  const { rows: tableRows } = await db.query<{ table: string; live: boolean; shadow: boolean }>(
    `SELECT c.relname AS table, bool_or(n.nspname = $1) AS live, bool_or(n.nspname = $2) AS shadow
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ($1, $2) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      GROUP BY c.relname ORDER BY c.relname`,
    [live, shadow],
  );
  const tables: TableComparison[] = [];
  for (const { table, live: inLive, shadow: inShadow } of tableRows) {
    const [liveFigures, shadowFigures] = await Promise.all([
      inLive ? figures(db, live, table) : null,
      inShadow ? figures(db, shadow, table) : null,
    ]);
    const same =
      liveFigures !== null &&
      shadowFigures !== null &&
      liveFigures.rows === shadowFigures.rows &&
      liveFigures.digest === shadowFigures.digest;
    const differing = same || liveFigures === null || shadowFigures === null ? undefined : await samples(db, live, shadow, table);
    tables.push({
      table,
      liveRows: liveFigures?.rows ?? null,
      shadowRows: shadowFigures?.rows ?? null,
      same,
      onlyLive: differing?.onlyLive ?? [],
      onlyShadow: differing?.onlyShadow ?? [],
    });
  }
  return { identical: tables.every((table) => table.same), tables };
};

const figures = async (db: pg.Pool, schema: string, table: string): Promise<{ rows: number; digest: string }> => {
  const relation = `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
  const { rows: kind } = await db.query<{ hashable: boolean }>(
    `SELECT NOT EXISTS (
       SELECT 1 FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
          AND NOT EXISTS (
            SELECT 1 FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
             WHERE am.amname = 'hash' AND oc.opcdefault
               AND oc.opcintype = CASE WHEN ty.typelem <> 0 AND ty.typlen = -1 THEN ty.typelem ELSE ty.oid END)
     ) AS hashable`,
    [relation],
  );
  const rowHash = kind[0]?.hashable === true ? 'hash_record_extended(t, 0)' : 'hashtextextended(t::text, 0)';
  const { rows } = await db.query<{ rows: string; digest: string }>(
    `SELECT count(*) AS rows, coalesce(sum(${rowHash}), 0)::text AS digest FROM ${relation} t`,
  );
  return { rows: Number(rows[0]?.rows ?? 0), digest: rows[0]?.digest ?? '' };
};

const samples = async (db: pg.Pool, live: string, shadow: string, table: string): Promise<{ onlyLive: string[]; onlyShadow: string[] }> => {
  const side = async (from: string, minus: string): Promise<string[]> => {
    const { rows } = await db.query<{ row: string }>(
      `SELECT row FROM (
         SELECT t::text AS row FROM ${quoteIdentifier(from)}.${quoteIdentifier(table)} t
         EXCEPT ALL
         SELECT t::text FROM ${quoteIdentifier(minus)}.${quoteIdentifier(table)} t
       ) d ORDER BY row LIMIT ${sampleSize}`,
    );
    return rows.map((row) => row.row);
  };
  return { onlyLive: await side(live, shadow), onlyShadow: await side(shadow, live) };
};
