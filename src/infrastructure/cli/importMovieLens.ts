import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { importMovieLens, type ImportProgress } from '../../commands/importMovieLens/handler.ts';
import { domainEventDefinitions } from '../../domain/events.ts';
import { eventRegistry } from '../eventStore/eventRegistry.ts';
import { openEventStore } from '../eventStore/openEventStore.ts';
import { openDatabaseServer } from '../postgres/database.ts';
import { migrate } from '../postgres/migrate.ts';
import { createPool } from '../postgres/pool.ts';
import type { CliContext } from './main.ts';

/** `fastflix import movielens <dir>`: the import with a progress bar (rows/s) and a summary. */
export const importMovieLensCommand = async ({ config, log }: CliContext, directory: string): Promise<void> => {
  const database = await openDatabaseServer(config, log);
  const pool = createPool(database.url, config.database.poolSize, 'import');
  const { store } = await openEventStore({ eventStoreUrl: config.eventStoreUrl, secret: config.auth.jwtSecret }, pool, database.url, log);
  const bar = new cliProgress.SingleBar(
    { format: '{phase} [{bar}] {value}/{total} · {speed} rows/s · {eta_formatted} left', hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let phase: ImportProgress['phase'] | undefined;
  let phaseStarted = Date.now();
  const started = Date.now();
  try {
    await migrate(database.url, log);
    const summary = await importMovieLens({ store, registry: eventRegistry(domainEventDefinitions) }, resolve(directory), {
      onProgress: (progress) => {
        if (progress.phase !== phase) {
          if (phase !== undefined) bar.stop();
          phase = progress.phase;
          phaseStarted = Date.now();
          bar.start(progress.total, 0, { phase: progress.phase.padEnd(16), speed: '0' });
        }
        if (progress.done % 200 === 0 || progress.done === progress.total) {
          bar.update(progress.done, {
            speed: Math.round((progress.done / Math.max(1, Date.now() - phaseStarted)) * 1000).toLocaleString('en-US'),
          });
        }
      },
    });
    bar.stop();
    const seconds = (Date.now() - started) / 1000;
    const out = process.stdout;
    out.write(
      `\nImported in ${seconds.toFixed(1)} s: ${summary.movies.toLocaleString('en-US')} movies, ${summary.users.toLocaleString('en-US')} users, `,
    );
    out.write(
      `${summary.ratings.toLocaleString('en-US')} ratings, ${summary.tags.toLocaleString('en-US')} tags; ${summary.eventsAppended.toLocaleString('en-US')} events appended`,
    );
    out.write(summary.eventsAppended === 0 ? ' (everything was there already)\n' : '\n');
    if (summary.rejected.length > 0) {
      out.write(`${summary.rejected.length} rows rejected:\n`);
      for (const rejection of summary.rejected.slice(0, 50)) out.write(`  ${rejection.file}:${rejection.line}: ${rejection.reason}\n`);
      if (summary.rejected.length > 50) out.write(`  … and ${summary.rejected.length - 50} more\n`);
    }
  } finally {
    bar.stop();
    await store.close();
    await pool.end();
    await database.stop();
  }
};
