import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { expect } from 'chai';
import pg from 'pg';
import { exportLog } from '../../src/audit/exportLog.ts';
import { verifyLog } from '../../src/audit/verify.ts';
import { verifyExport } from '../../src/audit/verifyExport.ts';
import type { EventToAppend } from '../../src/infrastructure/eventStore/eventStore.ts';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { openPostgresEventStore, type TestEventStore } from '../infrastructure/eventStore/postgresTestStore.ts';

// Events of a bulk load carry `bulk: true` in their metadata; the auditors' tools, which rebuild the
// digest from the stored text (verify) or from the parsed line (verify-export), must agree with it.

const event = (n: number, bulk: boolean): EventToAppend => ({
  eventId: randomUUID(),
  type: 'MovieAdded',
  schemaVersion: 1,
  data: { n },
  metadata: {
    occurredAt: '2026-12-04T12:00:00.000Z',
    actorId: null,
    correlationId: 'movielens-import',
    causationId: null,
    ...(bulk ? { bulk } : {}),
  },
});

describe('audit of bulk-loaded events', function () {
  this.timeout(60_000);
  let opened: TestEventStore;
  let folder: string;

  before(async () => {
    opened = await openPostgresEventStore();
    folder = await mkdtemp(join(tmpdir(), 'fastflix-bulk-audit-'));
    for (let n = 0; n < 5; n++) {
      await opened.store.appendToStream(streamName('movie', randomUUID()), [
        event(n, true),
        event(n + 100, n % 2 === 0),
        event(n + 200, true),
      ]);
    }
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
    await opened.close();
  });

  it('verifies every chain of a log holding bulk and other events', async () => {
    const report = await verifyLog(opened.pool, {});
    expect(report.outcome).to.equal('verified');
    expect(report.outcome === 'verified' && report.breaks).to.deep.equal([]);
    expect(report.outcome === 'verified' && report.events).to.equal(15);
  });

  it('exports them with the flag, and the export verifies offline', async () => {
    const path = join(folder, 'log.jsonl');
    const out = createWriteStream(path);
    await exportLog(opened.pool, out, { exportedAt: new Date('2026-12-04T17:00:00Z') });
    out.end();
    await finished(out);
    expect(await verifyExport(path)).to.deep.include({ ok: true, count: 15 });
  });

  it('finds the chain broken where the flag was taken off an event', async () => {
    const { rows } = await opened.pool.query<{ position: string }>(
      "SELECT position FROM events WHERE (metadata ->> 'bulk') = 'true' ORDER BY position LIMIT 1",
    );
    const position = rows[0]?.position;
    const tamperer = new pg.Client({ connectionString: opened.database.url.href });
    await tamperer.connect();
    try {
      // A superuser's way around the append-only trigger, for this session only.
      await tamperer.query("SET session_replication_role = 'replica'");
      await tamperer.query(`UPDATE events SET metadata = replace(metadata::text, '"bulk":true,', '')::json WHERE position = $1`, [
        position,
      ]);
      const report = await verifyLog(opened.pool, {});
      expect(report.outcome === 'verified' && report.breaks.map((b) => b.position?.toString())).to.deep.equal([position]);
    } finally {
      await tamperer.end();
    }
  });
});
