import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describeEnvironment } from './support/environment.ts';
import { fromBench, profileFlags } from './support/processes.ts';
import { startBenchService, waitUntilCaughtUp } from './support/service.ts';
import { round, table, whole } from './support/stats.ts';

// The MovieLens import as a user runs it: `fastflix serve` on the embedded default (its projectors
// following the log live), and `fastflix import movielens ../shared/data/movielens/ml-latest-small`
// in a second process sharing its PostgreSQL. Measured: the import's wall time and rows/s, then the
// time until every read model has caught up with the last event (the target: ≤ 15 s in all), and
// when the service's similarity tables (also-watched, recommendations) include it.

const dataset = fromBench('../shared/data/movielens/ml-latest-small');

/** Data rows (headers left out) of the four files: what "rows/s" counts. */
const countRows = async (): Promise<number> => {
  let rows = 0;
  for (const file of ['movies.csv', 'links.csv', 'ratings.csv', 'tags.csv']) {
    const text = await readFile(`${dataset}/${file}`, 'utf8');
    rows += text.split('\n').filter((line) => line.length > 0).length - 1;
  }
  return rows;
};

const runCli = (args: readonly string[], env: Readonly<Record<string, string>>): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...profileFlags(), fromBench('bin/fastflix.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`fastflix ${args.join(' ')} exited with ${code}`))));
  });

export const main = async (): Promise<void> => {
  if (!existsSync(`${dataset}/ratings.csv`)) {
    console.log(`skipped: the MovieLens data set is not at ${dataset}`);
    return;
  }
  const rows = await countRows();
  const service = await startBenchService();
  try {
    console.log(await describeEnvironment(service.url));
    console.log('fastflix serve (embedded default) + fastflix import movielens ml-latest-small in a second process\n');
    const started = performance.now();
    const output = await runCli(['import', 'movielens', dataset], service.env);
    const importMs = performance.now() - started;
    const caughtUpMs = importMs + (await waitUntilCaughtUp(service, 'import', 20));
    // The position of the last event that changed the co-watch interactions (the checkpoint may be
    // past it: the tags at the end of an import are not co-watch events).
    const source = await service.pool.query<{ position: string }>('SELECT position FROM rm_cowatch.source');
    const cowatch = BigInt(source.rows[0]?.position ?? 0);
    let similarity: { at: number; tookMs: number } | undefined;
    while (similarity === undefined && performance.now() - started < caughtUpMs + 60_000) {
      const state = await service.pool.query<{ source_position: string; took_ms: number }>(
        'SELECT source_position, took_ms FROM similarity.state',
      );
      const row = state.rows[0];
      if (row !== undefined && BigInt(row.source_position) >= cowatch)
        similarity = { at: performance.now() - started, tookMs: row.took_ms };
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const events = Number((await service.pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n ?? 0);
    console.log(output.trim().split('\n').slice(-8).join('\n'));
    console.log('');
    console.log(
      table(
        ['ml-latest-small', 'seconds', 'rows/s', 'events/s'],
        [
          [
            'import (CLI process, start to exit)',
            round(importMs / 1000, 1),
            whole((rows / importMs) * 1000),
            whole((events / importMs) * 1000),
          ],
          [
            '… and every read model caught up',
            round(caughtUpMs / 1000, 1),
            whole((rows / caughtUpMs) * 1000),
            whole((events / caughtUpMs) * 1000),
          ],
          [
            similarity === undefined
              ? '… similarity tables: not recomputed within 60 s'
              : `… similarity tables recomputed (the computation itself ${round(similarity.tookMs / 1000, 1)} s; 30 s timer)`,
            similarity === undefined ? 'n/a' : round(similarity.at / 1000, 1),
            '',
            '',
          ],
        ],
      ),
    );
    console.log(
      `\n${whole(rows)} rows, ${whole(events)} events. Target: every read model caught up within 15 s: ${caughtUpMs <= 15_000 ? 'met' : 'missed'}`,
    );
  } finally {
    await service.stop();
  }
};
