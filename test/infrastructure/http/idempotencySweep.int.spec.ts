import { expect } from 'chai';
import pg from 'pg';
import { Registry } from 'prom-client';
import { scheduleIdempotencySweep } from '../../../src/infrastructure/http/idempotencySweep.ts';
import { capturingLogger } from '../../support/logCapture.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgresServer.ts';
import { waitFor } from '../../support/waitFor.ts';

// The sweep on its schedule: run often here (every 50 ms), it deletes what has expired by the clock
// it is given, counts it, and logs it; keys not yet expired stay.

describe('the scheduled sweep of Idempotency-Keys', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let pool: pg.Pool;

  before(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url.href, max: 2 });
  });
  after(async () => {
    await pool.end();
    await database.drop();
  });

  it('deletes the expired keys every period, counting and logging them', async () => {
    const now = new Date('2026-12-05T12:00:00Z');
    const stored = async (key: string, hoursAgo: number): Promise<void> => {
      await pool.query('INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES ($1, $2, $3, $4)', [
        'user:someone PUT /x',
        key,
        'hash',
        new Date(now.getTime() - hoursAgo * 3_600_000),
      ]);
    };
    await stored('expired-1', 25);
    await stored('expired-2', 24.01);
    await stored('live', 23.9);
    const registry = new Registry();
    const { log, records } = capturingLogger();
    const sweep = scheduleIdempotencySweep({ pool, clock: () => now, ttlSeconds: 86_400, everyMs: 50, log, registry });
    try {
      await waitFor(() => records.some((record) => record.msg === 'expired idempotency keys swept'));
      const left = await pool.query<{ key: string }>('SELECT key FROM idempotency_keys');
      expect(left.rows.map((row) => row.key)).to.deep.equal(['live']);
      expect(await registry.getSingleMetricAsString('fastflix_idempotency_keys_expired_total')).to.match(/ 2$/m);
      expect(records.find((record) => record.msg === 'expired idempotency keys swept')?.deleted).to.equal(2);
    } finally {
      await sweep.close();
    }
  });
});
