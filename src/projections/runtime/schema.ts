import type pg from 'pg';
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
  const client = await pool.connect();
  try {
    const existing = await client.query<{ version: number }>('SELECT version FROM projection_state WHERE name = $1', [target.stateName]);
    if (existing.rows[0] !== undefined) return 'exists';
    await client.query('BEGIN');
    await client.query(`DROP SCHEMA IF EXISTS ${target.schema} CASCADE`);
    await client.query(`CREATE SCHEMA ${target.schema}`);
    await client.query(`SET LOCAL search_path TO ${target.schema}, public`);
    await client.query(projection.schema);
    await client.query('INSERT INTO projection_state (name, version) VALUES ($1, $2)', [target.stateName, projection.version]);
    await client.query('COMMIT');
    return 'created';
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
};
