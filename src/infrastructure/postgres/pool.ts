import pg from 'pg';

// Our own type parsers, so that a library that changes node-postgres's global ones (some do, for
// json) cannot change what our queries return: json as parsed objects, int8 as text (BigInt'd by
// the caller), everything else as node-postgres does by default.
const parserFor = (oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) => {
  if (oid === 114 || oid === 3802) return (value) => JSON.parse(value) as unknown;
  if (oid === 20) return String;
  // node-postgres types its parsers as returning `any`.
  return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
};
const types = { getTypeParser: parserFor as typeof pg.types.getTypeParser };

/**
 * How long a caller waits for a connection (a new one's handshake, or a free one of a full pool)
 * before the pool gives up. node-postgres waits for ever by default: a server that accepts but never
 * answers (a half-dead host, a stalled proxy) would hold every request that needs the database. Five
 * seconds is long enough for a busy pool to free a connection and short enough to answer 503.
 */
export const connectionTimeoutMs = 5_000;

/**
 * A node-postgres pool. `application_name` starts with `fastflix` so that the embedded server can
 * tell whether another FastFlix process still uses it before stopping.
 */
export const createPool = (url: URL, size: number, role: string): pg.Pool => {
  const pool = new pg.Pool({
    connectionString: url.href,
    max: size,
    application_name: `fastflix-${role}`,
    types,
    connectionTimeoutMillis: connectionTimeoutMs,
  });
  // An idle client that loses its connection emits on the pool; without a listener Node would crash.
  pool.on('error', () => undefined);
  // A checked-out one emits on itself (pg-pool takes its listener off while it is lent), and a
  // restart ends every connection, lent ones included: the error is also what its queries fail
  // with, and the pool drops a client that is no longer queryable when it comes back.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
};
