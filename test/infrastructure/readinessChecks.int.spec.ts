import { expect } from 'chai';
import pg from 'pg';
import { degraded } from '../../src/infrastructure/http/health.ts';
import { projectionsCheck } from '../../src/infrastructure/readinessChecks.ts';
import { openPostgresEventStore, type TestEventStore } from './eventStore/postgresTestStore.ts';

// What the projections' readiness check answers, from projection_state as the runtime leaves it:
// a stopped live read model degrades the service, a stopped rebuild does not (the live read model
// it shadows still serves), and a database that cannot be read fails the check.

describe('the projections readiness check', () => {
  let opened: TestEventStore;

  before(async () => {
    opened = await openPostgresEventStore();
  });
  after(async () => {
    await opened.close();
  });

  const setStates = async (rows: readonly { name: string; status: 'running' | 'stopped'; position: number }[]): Promise<void> => {
    await opened.pool.query('DELETE FROM projection_state');
    for (const row of rows) {
      await opened.pool.query('INSERT INTO projection_state (name, version, position, status) VALUES ($1, 1, $2, $3)', [
        row.name,
        row.position,
        row.status,
      ]);
    }
  };

  it('is ready while every projection runs', async () => {
    await setStates([
      { name: 'catalogue', status: 'running', position: -1 },
      { name: 'ratings', status: 'running', position: -1 },
    ]);
    expect(await projectionsCheck(opened.pool, opened.store).check()).to.equal('catalogue 0 behind, ratings 0 behind');
  });

  it('degrades, naming each stopped live projection, and says where each stands', async () => {
    await setStates([
      { name: 'catalogue', status: 'running', position: -1 },
      { name: 'history', status: 'stopped', position: -1 },
      { name: 'watchlists', status: 'stopped', position: -1 },
    ]);
    expect(await projectionsCheck(opened.pool, opened.store).check()).to.deep.equal(
      degraded(
        'catalogue 0 behind, history stopped at a parked event after position -1, watchlists stopped at a parked event after position -1',
        ['projection history', 'projection watchlists'],
      ),
    );
  });

  it('names a stopped rebuild without degrading the service', async () => {
    await setStates([
      { name: 'ratings', status: 'running', position: -1 },
      { name: 'ratings@rebuild', status: 'stopped', position: -1 },
    ]);
    expect(await projectionsCheck(opened.pool, opened.store).check()).to.equal(
      'ratings 0 behind, ratings@rebuild stopped at a parked event after position -1',
    );
  });

  it('fails when the database cannot be read', async () => {
    const closed = new pg.Pool({ connectionString: opened.database.url.href });
    await closed.end();
    const error = await projectionsCheck(closed, opened.store)
      .check()
      .then(
        () => undefined,
        (reason: unknown) => reason,
      );
    expect(error).to.be.instanceOf(Error);
  });
});
