import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type pg from 'pg';
import { exportFormat, manifestLineOf } from './exportFormat.ts';
import { exportBody, exportedSpan } from './exportRows.ts';

// `audit export [--from] [--to]`: the log (or a range of it, by position) as a self-checking file,
// read from one snapshot. Streams that began before the range get the hash preceding their first
// exported event in the manifest, so that their chains can be checked from there.

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
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const span = await exportedSpan(client, range);
    const hash = createHash('sha256');
    const count = await exportBody(
      client,
      range,
      async (chunk) => {
        hash.update(chunk);
        if (!out.write(chunk)) await once(out, 'drain');
      },
      range.onProgress,
    );
    await client.query('COMMIT');
    if (count !== span.count) throw new Error(`the export read ${count} events where its snapshot holds ${span.count}`);
    const bodySha256 = hash.digest('hex');
    // Every key in RFC 8785 order, as manifestLineOf needs it.
    const manifest =
      `{"bodySha256":"${bodySha256}","count":${count},"exportedAt":${JSON.stringify(range.exportedAt.toISOString())},` +
      `"firstPosition":${JSON.stringify(span.firstPosition?.toString() ?? null)},"format":${JSON.stringify(exportFormat)},` +
      `"lastPosition":${JSON.stringify(span.lastPosition?.toString() ?? null)},"streams":${span.streamsJson}}`;
    const line = manifestLineOf(manifest);
    if (!out.write(line)) await once(out, 'drain');
    return { count, streams: span.streams, bodySha256 };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
};
