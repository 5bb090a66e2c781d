import { expect } from 'chai';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { createQueryPool } from '../../../src/infrastructure/postgres/slonik.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgresServer.ts';

// The sessions query handlers read through: no parallel workers (dozens of requests at once already
// use every core), and whatever session options the operator put in DATABASE_URL kept alongside.

describe('the query pool', () => {
  let database: TestDatabase;
  const pools: DatabasePool[] = [];

  const setting = async (pool: DatabasePool, name: string): Promise<string> =>
    pool.oneFirst(sql.type(z.object({ value: z.string() }))`SELECT current_setting(${name}) AS value`);

  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await database.drop();
  });

  it('reads without parallel workers', async () => {
    const pool = await createQueryPool(database.url, 1, 5_000);
    pools.push(pool);
    expect(await setting(pool, 'max_parallel_workers_per_gather')).to.equal('0');
  });

  it('keeps the session options DATABASE_URL gives, beside its own', async () => {
    const url = new URL(database.url.href);
    url.searchParams.set('options', '-c work_mem=7MB');
    const pool = await createQueryPool(url, 1, 5_000);
    pools.push(pool);
    expect(await setting(pool, 'work_mem')).to.equal('7MB');
    expect(await setting(pool, 'max_parallel_workers_per_gather')).to.equal('0');
  });
});
