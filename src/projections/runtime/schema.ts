import type pg from 'pg';
import { inTransaction } from '../../infrastructure/postgres/transaction.ts';
import type { Projection } from './projection.ts';
import type { ProjectionTarget } from './runProjection.ts';

/**
 * Creates the target's schema, tables and state row if they do not exist yet, in one transaction
 * (DDL is transactional in PostgreSQL). Called under the projection's advisory lock.
 */
export const ensureProjectionSchema = async (
  pool: pg.Pool,
  projection: Projection,
  target: Pick<ProjectionTarget, 'stateName' | 'schema'>,
): Promise<'created' | 'exists'> => {
  const existing = await pool.query<{ version: number }>('SELECT version FROM projection_state WHERE name = $1', [target.stateName]);
  if (existing.rows[0] !== undefined) return 'exists';
  await inTransaction(pool, async (client) => {
    await client.query(`DROP SCHEMA IF EXISTS ${target.schema} CASCADE`);
    await client.query(`CREATE SCHEMA ${target.schema}`);
    await client.query(`SET LOCAL search_path TO ${target.schema}, public`);
    await client.query(projection.schema);
    await client.query('INSERT INTO projection_state (name, version) VALUES ($1, $2)', [target.stateName, projection.version]);
  });
  return 'created';
};
