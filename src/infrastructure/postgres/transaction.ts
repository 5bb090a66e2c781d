import type pg from 'pg';

/**
 * Runs `work` in one transaction on a connection of its own: committed when it returns, rolled back
 * when it throws (the error goes on to the caller), the connection released either way. `settings`
 * (SET LOCAL statements, no parameters) go in the same round trip as the BEGIN; `commit` may put a
 * last statement before the COMMIT, in its round trip (if that statement fails, nothing commits).
 */
export const inTransaction = async <T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  settings?: string,
  commit = 'COMMIT',
): Promise<T> => {
  const client = await pool.connect();
  try {
    await client.query(settings === undefined ? 'BEGIN' : `BEGIN; ${settings}`);
    const result = await work(client);
    await client.query(commit);
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
};
