import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type pg from 'pg';
import { exportFormat, manifestLineOf } from './exportFormat.ts';
import { exportBody, exportedSpan } from './exportRows.ts';

// `audit export [--from] [--to]`: the log (or a range of it, by position) as a self-checking file,
// read from one snapshot. Streams that began before the range get the hash preceding their first
// exported event in the manifest, so that their chains can be checked from there.

// Both statements read every event once: compiling them (JIT) cost a quarter of a second for nothing,
// and the span's grouping by stream spilled to disk at the default work_mem.
const exportSettings = "SET LOCAL jit = off; SET LOCAL work_mem = '64MB'";

export interface ExportSummary {
  readonly count: number;
  readonly streams: number;
  readonly bodySha256: string;
}

export const exportLog = async (
  pool: pg.Pool,
  out: Writable,
  range: {
    readonly fromPosition?: bigint;
    readonly toPosition?: bigint;
    readonly exportedAt: Date;
    readonly onProgress?: (events: number) => void;
  },
): Promise<ExportSummary> => {
  // The body and the manifest's streams are two statements of about the same cost: each runs on a
  // connection of its own, in one shared snapshot (pg_export_snapshot), so that both cores work.
  const body = await pool.connect();
  let span: pg.PoolClient | undefined;
  try {
    span = await pool.connect();
    await body.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ${exportSettings}`);
    const { rows } = await body.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot');
    const snapshot = rows[0]?.snapshot;
    if (snapshot === undefined) throw new Error('pg_export_snapshot() answered no row');
    await span.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await span.query(`SET TRANSACTION SNAPSHOT ${span.escapeLiteral(snapshot)}; ${exportSettings}`);
    const hash = createHash('sha256');
    const [spanned, count] = await Promise.all([
      exportedSpan(span, range),
      exportBody(
        body,
        range,
        async (chunk) => {
          hash.update(chunk);
          if (!out.write(chunk)) await once(out, 'drain');
        },
        range.onProgress,
      ),
    ]);
    await Promise.all([body.query('COMMIT'), span.query('COMMIT')]);
    const bodySha256 = hash.digest('hex');
    // Every key in RFC 8785 order, as manifestLineOf needs it; the streams as the bytes they came in.
    // The count is the span's, what the store claims: it differs from the body's only in a log
    // tampered with, and verify-export then says so.
    const manifest = [
      Buffer.from(
        `{"bodySha256":"${bodySha256}","count":${spanned.count},"exportedAt":${JSON.stringify(range.exportedAt.toISOString())},` +
          `"firstPosition":${JSON.stringify(spanned.firstPosition?.toString() ?? null)},"format":${JSON.stringify(exportFormat)},` +
          `"lastPosition":${JSON.stringify(spanned.lastPosition?.toString() ?? null)},"streams":{`,
      ),
      spanned.streamsJson,
      Buffer.from('}}'),
    ];
    for (const part of manifestLineOf(manifest)) if (!out.write(part)) await once(out, 'drain');
    return { count, streams: spanned.streams, bodySha256 };
  } catch (error) {
    await Promise.all([body.query('ROLLBACK').catch(() => undefined), span?.query('ROLLBACK').catch(() => undefined)]);
    throw error;
  } finally {
    body.release();
    span?.release();
  }
};
