import pg from 'pg';
import type { Position } from '../infrastructure/eventStore/eventStore.ts';
import { inTransaction } from '../infrastructure/postgres/transaction.ts';
import type { Projection } from '../projections/runtime/projection.ts';
import { runProjection, type ProjectionRuntime } from '../projections/runtime/runProjection.ts';

// `audit replay --to <position | time> --into <schema>`: every read model as it stood at a position,
// built from the log into one schema of its own for auditors to query with SQL (and drop afterwards).
// Each projection is run as a rebuild is, from position 0 and stopped at the position, into a staging
// schema of its own (the runtime creates a projection's tables in an empty schema); their tables are
// then moved into the target schema in one transaction. Projections write only their own tables, so
// replaying fires no mail, job or notification.

export type ReplayOutcome =
  | { readonly outcome: 'refused'; readonly reason: string }
  | { readonly outcome: 'replayed'; readonly position: Position; readonly tables: readonly string[] }
  | { readonly outcome: 'failed'; readonly projection: string; readonly reason: string };

/** Schemas the service owns: never a replay's target, --force or not. */
const reserved = /^(rm_|pg_|similarity$|public$|information_schema$)/;

export const replayInto = async (
  projections: readonly Projection[],
  runtime: ProjectionRuntime,
  options: { readonly schema: string; readonly toPosition: Position; readonly force: boolean },
): Promise<ReplayOutcome> => {
  const { schema, force } = options;
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(schema)) {
    return { outcome: 'refused', reason: `"${schema}" is not a schema name this takes: lower-case letters, digits and _, at most 41` };
  }
  if (reserved.test(schema)) return { outcome: 'refused', reason: `${schema} is a schema of the service itself` };
  const { pool } = runtime;
  const exists = (await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;
  if (exists && !force) return { outcome: 'refused', reason: `schema ${schema} exists (--force drops it and replays anew)` };
  // Past the head there is nothing to wait for: a run told to stop further on would follow the log live.
  const head = (await runtime.store.headPosition()) ?? -1n;
  const position = options.toPosition < head ? options.toPosition : head;
  const runs = projections.map((projection) => ({
    projection,
    stateName: `${projection.name}@replay:${schema}`,
    staging: `${schema}__${projection.name}`,
  }));
  const clear = async (client: pg.PoolClient): Promise<void> => {
    for (const run of runs) {
      await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(run.staging)} CASCADE`);
      await client.query('DELETE FROM projection_dead_letters WHERE projection = $1', [run.stateName]);
      await client.query('DELETE FROM projection_state WHERE name = $1', [run.stateName]);
    }
  };
  // Left by a replay that was stopped half-way, or by a failure below.
  await inTransaction(pool, clear);
  const outcomes = await Promise.all(
    runs.map(
      (run) =>
        runProjection(run.projection, runtime, { stateName: run.stateName, schema: run.staging, untilPosition: position, lockHeld: true })
          .done,
    ),
  );
  const failed = outcomes.findIndex((outcome) => outcome !== 'caught-up');
  if (failed >= 0) {
    const run = runs[failed];
    const { rows } = await pool.query<{ error: string | null }>('SELECT error FROM projection_state WHERE name = $1', [run?.stateName]);
    await inTransaction(pool, clear);
    return { outcome: 'failed', projection: run?.projection.name ?? '?', reason: rows[0]?.error ?? String(outcomes[failed]) };
  }
  const tables = await inTransaction(pool, async (client) => {
    const target = pg.escapeIdentifier(schema);
    await client.query(`DROP SCHEMA IF EXISTS ${target} CASCADE`);
    await client.query(`CREATE SCHEMA ${target}`);
    const moved: string[] = [];
    for (const run of runs) {
      const { rows } = await client.query<{ table: string }>('SELECT tablename AS table FROM pg_tables WHERE schemaname = $1 ORDER BY 1', [
        run.staging,
      ]);
      for (const { table } of rows) {
        await client.query(`ALTER TABLE ${pg.escapeIdentifier(run.staging)}.${pg.escapeIdentifier(table)} SET SCHEMA ${target}`);
        moved.push(table);
      }
    }
    await client.query(
      `COMMENT ON SCHEMA ${target} IS ${pg.escapeLiteral(`FastFlix read models as of position ${position} (audit replay)`)}`,
    );
    await clear(client);
    return moved;
  });
  return { outcome: 'replayed', position, tables };
};
