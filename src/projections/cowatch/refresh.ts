import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { inTransaction } from '../../infrastructure/postgres/transaction.ts';
import { alsoWatchedModel, maxHistoryPerUser, recommendationModel } from './model.ts';
import { topNeighboursInSlices, type Neighbourhoods, type SparseInteractions } from './similarity.ts';

const ddl = readFileSync(new URL('./similarity.sql', import.meta.url), 'utf8');
const lockKey = "hashtextextended('fastflix.similarity.refresh', 0)";
const modelVersion = `also-watched ${alsoWatchedModel.version}, recommendations ${recommendationModel.version}`;

export type RefreshOutcome =
  | {
      readonly kind: 'refreshed';
      readonly tookMs: number;
      /** Of which: reading the interactions, computing both models, writing both tables. */
      readonly phasesMs: { readonly read: number; readonly compute: number; readonly write: number };
      readonly interactions: number;
      readonly movies: number;
      /** The co-watch read model's position the tables were computed from. */
      readonly sourcePosition: bigint;
    }
  /** Nothing changed since the last computation. */
  | { readonly kind: 'fresh' }
  /** Another process is computing right now. */
  | { readonly kind: 'busy' }
  /** The co-watch projection has not created its tables yet. */
  | { readonly kind: 'no-source' };

interface Loaded {
  readonly movieIds: readonly string[];
  readonly likes: SparseInteractions;
  readonly graded: SparseInteractions;
}

/** Creates the similarity tables unless they exist: before the first computation, queries find them empty. */
export const ensureSimilarityTables = (pool: pg.Pool): Promise<void> =>
  inTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(${lockKey})`);
    await client.query(ddl);
  });

/**
 * Recomputes both similarity tables from rm_cowatch.interactions when it changed since the last time
 * (or `force`). One computation at a time across every process (an advisory lock; `wait: false`
 * answers 'busy' rather than queue). Readers keep the previous tables until the new ones commit.
 */
export const refreshSimilarity = async (
  pool: pg.Pool,
  options: { readonly force?: boolean; readonly wait?: boolean } = {},
): Promise<RefreshOutcome> => {
  const client = await pool.connect();
  let locked = false;
  try {
    if (options.wait === false) {
      const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${lockKey}) AS locked`);
      if (rows[0]?.locked !== true) return { kind: 'busy' };
    } else {
      await client.query(`SELECT pg_advisory_lock(${lockKey})`);
    }
    locked = true;
    const started = performance.now();
    // One snapshot for the check, the read and the record of what was read.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await client.query(ddl);
    const exists = await client.query<{ exists: boolean }>("SELECT to_regclass('rm_cowatch.source') IS NOT NULL AS exists");
    if (exists.rows[0]?.exists !== true) {
      await client.query('COMMIT');
      return { kind: 'no-source' };
    }
    const source = await client.query<{ position: string; computed: string | null; version: string | null }>(
      `SELECT (SELECT position FROM rm_cowatch.source) AS position,
              (SELECT source_position FROM similarity.state) AS computed,
              (SELECT model_version FROM similarity.state) AS version`,
    );
    const row = source.rows[0];
    if (row === undefined) throw new Error('rm_cowatch.source has no row');
    if (options.force !== true && row.computed === row.position && row.version === modelVersion) {
      await client.query('COMMIT');
      return { kind: 'fresh' };
    }
    let lap = performance.now();
    const elapsed = (): number => {
      const since = lap;
      lap = performance.now();
      return Math.round(lap - since);
    };
    const loaded = await load(client);
    const read = elapsed();
    const alsoWatched = await topNeighboursInSlices(loaded.likes, alsoWatchedModel);
    const neighbours = await topNeighboursInSlices(loaded.graded, recommendationModel);
    const compute = elapsed();
    await client.query('DELETE FROM similarity.also_watched');
    await write(client, 'similarity.also_watched', loaded.movieIds, alsoWatched);
    await client.query('DELETE FROM similarity.item_neighbours');
    await write(client, 'similarity.item_neighbours', loaded.movieIds, neighbours);
    const phasesMs = { read, compute, write: elapsed() };
    const tookMs = Math.round(performance.now() - started);
    await client.query(
      `INSERT INTO similarity.state (model_version, source_position, computed_at, took_ms, interactions, movies)
       VALUES ($1, $2, now(), $3, $4, $5)
       ON CONFLICT (singleton) DO UPDATE SET model_version = excluded.model_version, source_position = excluded.source_position,
         computed_at = excluded.computed_at, took_ms = excluded.took_ms, interactions = excluded.interactions, movies = excluded.movies`,
      [modelVersion, row.position, tookMs, loaded.graded.user.length, loaded.movieIds.length],
    );
    await client.query('COMMIT');
    return {
      kind: 'refreshed',
      tookMs,
      phasesMs,
      interactions: loaded.graded.user.length,
      movies: loaded.movieIds.length,
      sourcePosition: BigInt(row.position),
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    if (locked) await client.query(`SELECT pg_advisory_unlock(${lockKey})`).catch(() => undefined);
    client.release();
  }
};

/** Every interaction (the most recent `maxHistoryPerUser` of each user), as two weighted matrices. */
const load = async (client: pg.PoolClient): Promise<Loaded> => {
  const { rows } = await client.query<{ user_id: string; movie_id: string; score: number | null; watched: boolean }>(
    `SELECT user_id, movie_id, score::float8 AS score, watched
       FROM (SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY at DESC, movie_id) AS recency FROM rm_cowatch.interactions) i
      WHERE recency <= $1
      ORDER BY movie_id, user_id`,
    [maxHistoryPerUser],
  );
  const movieIds: string[] = [];
  const users = new Map<string, number>();
  const user = new Int32Array(rows.length);
  const item = new Int32Array(rows.length);
  const graded = new Float64Array(rows.length);
  const liked: boolean[] = [];
  let likes = 0;
  for (const [n, row] of rows.entries()) {
    if (movieIds[movieIds.length - 1] !== row.movie_id) movieIds.push(row.movie_id);
    let u = users.get(row.user_id);
    if (u === undefined) users.set(row.user_id, (u = users.size));
    user[n] = u;
    item[n] = movieIds.length - 1;
    graded[n] = (row.score ?? recommendationModel.watchedScore) / 5;
    liked[n] = row.watched || (row.score ?? 0) >= alsoWatchedModel.likeScore;
    if (liked[n]) likes++;
  }
  const likeUser = new Int32Array(likes);
  const likeItem = new Int32Array(likes);
  for (let n = 0, at = 0; n < rows.length; n++) {
    if (!liked[n]) continue;
    likeUser[at] = user[n]!;
    likeItem[at++] = item[n]!;
  }
  const dimensions = { users: users.size, items: movieIds.length };
  return {
    movieIds,
    likes: { ...dimensions, user: likeUser, item: likeItem, weight: new Float64Array(likes).fill(1) },
    graded: { ...dimensions, user, item, weight: graded },
  };
};

const write = async (client: pg.PoolClient, table: string, movieIds: readonly string[], model: Neighbourhoods): Promise<void> => {
  const chunk = 2_000;
  for (let from = 0; from < movieIds.length; from += chunk) {
    const rows: { movie_id: string; neighbour_ids: string[]; similarities: number[] }[] = [];
    for (let i = from; i < Math.min(from + chunk, movieIds.length); i++) {
      const start = model.offsets[i]!;
      const end = model.offsets[i + 1]!;
      if (start === end) continue;
      const ids: string[] = [];
      const similarities: number[] = [];
      for (let n = start; n < end; n++) {
        ids.push(movieIds[model.neighbours[n]!]!);
        similarities.push(Math.fround(model.similarities[n]!));
      }
      rows.push({ movie_id: movieIds[i]!, neighbour_ids: ids, similarities });
    }
    if (rows.length === 0) continue;
    await client.query(
      `INSERT INTO ${table} (movie_id, neighbour_ids, similarities)
       SELECT movie_id, neighbour_ids, similarities FROM jsonb_to_recordset($1::jsonb) AS r(movie_id uuid, neighbour_ids uuid[], similarities real[])`,
      [JSON.stringify(rows)],
    );
  }
};
