import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { exportLog } from '../src/audit/exportLog.ts';
import { streamEvents } from '../src/audit/stream.ts';
import { verifyExport } from '../src/audit/verifyExport.ts';
import { verifyLog } from '../src/audit/verify.ts';
import { importMovieLens } from '../src/commands/importMovieLens/handler.ts';
import { domainEventDefinitions } from '../src/domain/events.ts';
import { eventRegistry } from '../src/infrastructure/eventStore/eventRegistry.ts';
import { createEventNotifications } from '../src/infrastructure/eventStore/postgres/notifications.ts';
import { createPostgresEventStore } from '../src/infrastructure/eventStore/postgres/postgresEventStore.ts';
import { streamName } from '../src/infrastructure/eventStore/streamName.ts';
import { createPool } from '../src/infrastructure/postgres/pool.ts';
import { createTestDatabase, startTestPostgres, stopTestPostgres, testLog } from '../test/support/postgresServer.ts';
import { describeEnvironment } from './support/environment.ts';
import { elapsedMs, round, table, whole } from './support/stats.ts';
import { appendSyntheticCatalogue } from './support/syntheticEvents.ts';

// `audit verify` and `audit export` (and the offline `verify-export`) over the log of a MovieLens
// import (ml-latest-small, about 100,000 events, read where it lies), and with `--synthetic=<movies>`
// a synthetic catalogue appended after it (a movie and a fifth of a rating each: 833,000 movies make
// the log about 1,000,000 events). Three runs each, as the functions behind the commands run them;
// the export is written to a file. Targets: verify and export ≥ 100,000 events/s.

const dataset = fileURLToPath(new URL('../../shared/data/movielens/ml-latest-small', import.meta.url));
const runs = 3;

const option = (flags: readonly string[], name: string): number | undefined => {
  const value = flags.find((flag) => flag.startsWith(`--${name}=`))?.split('=')[1];
  return value === undefined ? undefined : Number(value);
};

export const main = async (flags: string[] = []): Promise<void> => {
  if (!existsSync(`${dataset}/ratings.csv`)) {
    console.log(`skipped: the MovieLens data set is not at ${dataset}`);
    return;
  }
  await startTestPostgres();
  const database = await createTestDatabase();
  console.log(await describeEnvironment(database.url));
  const pool = createPool(database.url, 8, 'bench');
  const store = createPostgresEventStore({
    pool,
    notifications: createEventNotifications(pool, { connectionString: database.url.href }, testLog),
  });
  const registry = eventRegistry(domainEventDefinitions);
  const folder = await mkdtemp(join(tmpdir(), 'fastflix-bench-audit-'));
  try {
    let at = process.hrtime.bigint();
    const summary = await importMovieLens({ store, registry }, dataset);
    const synthetic = option(flags, 'synthetic');
    const extra = synthetic === undefined ? undefined : await appendSyntheticCatalogue(store, registry, synthetic);
    await pool.query('VACUUM ANALYZE events');
    const events = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n ?? 0);
    console.log(
      `log: import of ml-latest-small (${whole(summary.movies)} movies, ${whole(summary.ratings)} ratings, ${whole(summary.tags)} tags)` +
        `${extra === undefined ? '' : ` and ${whole(extra.movies)} synthetic movies with ${whole(extra.ratings)} ratings`}: ` +
        `${whole(events)} events, written in ${round(elapsedMs(at) / 1_000)} s\n`,
    );

    const rows: string[][] = [];
    const measure = async (what: string, work: () => Promise<number>): Promise<number> => {
      const rates: number[] = [];
      for (let run = 0; run < runs; run++) {
        at = process.hrtime.bigint();
        const cpu = process.cpuUsage();
        const checked = await work();
        const ms = elapsedMs(at);
        // This process's own CPU time (the database's is not in it): on a shared machine, what the
        // work costs whatever share of the cores it got.
        const used = process.cpuUsage(cpu);
        const cpuMs = (used.user + used.system) / 1_000;
        rates.push((checked / ms) * 1_000);
        rows.push([
          what,
          String(run + 1),
          whole(checked),
          round(ms / 1_000, 2),
          whole((checked / ms) * 1_000),
          round(cpuMs / 1_000, 2),
          whole((checked / cpuMs) * 1_000),
        ]);
      }
      return Math.max(...rates);
    };
    const verifyWith = (databasePass: boolean) => async (): Promise<number> => {
      const report = await verifyLog(pool, { databasePass });
      if (report.outcome !== 'verified' || report.breaks.length > 0) throw new Error('the log does not verify');
      return report.events;
    };
    // The database's pass (what `audit verify` runs) beside the check in Node alone (what it ran before).
    const verify = await measure('audit verify (every chain and head)', verifyWith(true));
    await measure('audit verify, checked in Node only (before)', verifyWith(false));
    const path = join(folder, 'log.jsonl');
    const exported = await measure('audit export (to a file)', async () => {
      const out = createWriteStream(path);
      const result = await exportLog(pool, out, { exportedAt: new Date() });
      out.end();
      await finished(out);
      return result.count;
    });
    const size = (await stat(path)).size;
    await measure('audit verify-export (offline)', async () => {
      const check = await verifyExport(path);
      if (!check.ok) throw new Error(`the export does not verify: ${check.problem}`);
      return check.count;
    });
    // One long stream, as `audit stream` reads it: target ≤ 1 s for 10,000 events.
    const long = streamName('movie', randomUUID());
    for (let batch = 0; batch < 10; batch++) {
      await store.appendToStream(
        long,
        Array.from({ length: 1_000 }, (_, n) => ({
          eventId: randomUUID(),
          type: 'MovieArchived',
          schemaVersion: 1,
          data: { movieId: `${batch * 1_000 + n}` },
          metadata: { occurredAt: new Date().toISOString(), actorId: null, correlationId: 'bench-audit', causationId: null },
        })),
      );
    }
    const streamMs: number[] = [];
    await measure('audit stream (one 10,000-event stream)', async () => {
      at = process.hrtime.bigint();
      const found = await streamEvents(store, long);
      streamMs.push(elapsedMs(at));
      return found.outcome === 'found' ? found.events.length : 0;
    });
    console.log(table(['command', 'run', 'events', 'seconds', 'events/s', 'client CPU s', 'events per client CPU s'], rows));
    // The machine is shared: how busy it was says how far these figures are from an idle one's.
    console.log(
      `\nload average at the end (1, 5, 15 min): ${loadavg()
        .map((load) => round(load, 1))
        .join(', ')} on 2 cores`,
    );
    console.log(`\nexport file: ${round(size / 2 ** 20)} MiB (${whole(size / Math.max(1, events))} bytes an event)`);
    for (const [what, rate] of [
      ['audit verify', verify],
      ['audit export', exported],
    ] as const) {
      console.log(`target ${what} ≥ 100,000 events/s: ${rate >= 100_000 ? 'met' : 'missed'} (best run ${whole(rate)} events/s)`);
    }
    const fastest = Math.min(...streamMs);
    console.log(`target audit stream of 10,000 events ≤ 1 s: ${fastest <= 1_000 ? 'met' : 'missed'} (best run ${round(fastest, 0)} ms)`);
  } finally {
    await rm(folder, { recursive: true, force: true });
    await store.close();
    await pool.end();
    await database.drop();
    await stopTestPostgres();
  }
};
