import pg from 'pg';

// The advisory lock that makes one session the writer of a projection state (`catalogue`,
// `catalogue@rebuild`): a bigint key hashed from the state's name. Runners take it with
// pg_try_advisory_lock, which never queues, so a session that *waits* for it (pg_advisory_lock) is
// an operator's tool, a rebuild about to swap, and a running runner hands the lock over to it.

const key = `hashtextextended('fastflix.projection.' || $1, 0)`;

export const tryLockStatement = `SELECT pg_try_advisory_lock(${key}) AS locked`;

/** Within a transaction: waits (up to the transaction's lock_timeout) for the lock, held until the end of it. */
export const transactionLockStatement = `SELECT pg_advisory_xact_lock(${key})`;

/** SQLSTATE 55P03, lock_not_available: lock_timeout ran out. */
export const isLockTimeout = (error: unknown): boolean => error instanceof Error && 'code' in error && error.code === '55P03';

/** True while some session waits for the lock of this state (pg_locks shows a bigint key split in two halves). */
export const lockWanted = async (pool: pg.Pool, stateName: string): Promise<boolean> => {
  const { rows } = await pool.query<{ wanted: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM pg_locks l, (SELECT ${key} AS k) wanted
        WHERE l.locktype = 'advisory' AND NOT l.granted AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid = ((wanted.k >> 32) & 4294967295)::oid AND l.objid = (wanted.k & 4294967295)::oid
     ) AS wanted`,
    [stateName],
  );
  return rows[0]?.wanted === true;
};

export interface HeldLock {
  readonly release: () => Promise<void>;
}

/** The lock was not had: someone else holds it (and, when waiting, did not hand it over in time). */
export class LockUnavailable extends Error {
  override readonly name = 'LockUnavailable';
}

/**
 * Takes the lock of a state on a session of its own, held until `release`. With `waitMs`, queues for
 * it (so that a running runner sees the wait and hands over) for at most that long; without, tries once.
 */
export const holdLock = async (
  connection: pg.ClientConfig,
  stateName: string,
  options: { readonly waitMs?: number } = {},
): Promise<HeldLock> => {
  const client = new pg.Client({ ...connection, application_name: `fastflix-operator-${stateName}` });
  client.on('error', () => undefined);
  await client.connect();
  try {
    if (options.waitMs === undefined) {
      const { rows } = await client.query<{ locked: boolean }>(tryLockStatement, [stateName]);
      if (rows[0]?.locked !== true) throw new LockUnavailable(`another session holds the lock of ${stateName}`);
    } else {
      await client.query(`SET lock_timeout = ${Math.max(1, Math.round(options.waitMs))}`);
      await client.query(`SELECT pg_advisory_lock(${key})`, [stateName]).catch((error: unknown) => {
        if (isLockTimeout(error)) {
          throw new LockUnavailable(`the lock of ${stateName} was not handed over within ${options.waitMs} ms`);
        }
        throw error;
      });
    }
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return { release: () => client.end().catch(() => undefined) };
};
