import pg from 'pg';

/**
 * A node-postgres pool. `application_name` starts with `fastflix` so that the embedded server can
 * tell whether another FastFlix process still uses it before stopping.
 */
export const createPool = (url: URL, size: number, role: string): pg.Pool => {
  const pool = new pg.Pool({ connectionString: url.href, max: size, application_name: `fastflix-${role}` });
  // An idle client that loses its connection emits on the pool; without a listener Node would crash.
  pool.on('error', () => undefined);
  return pool;
};
