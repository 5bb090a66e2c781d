import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type pg from 'pg';
import { genesisHash, readChainRows } from './chainRow.ts';
import { eventLine, exportFormat, manifestLine, type Manifest, type ManifestStream } from './exportFormat.ts';

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
    const body = createHash('sha256');
    const streams = new Map<string, { fromRevision: bigint; headRevision: bigint; headHash: Buffer }>();
    let count = 0;
    let first: bigint | null = null;
    let last: bigint | null = null;
    for await (const batch of readChainRows(client, {
      fromPosition: range.fromPosition,
      toPosition: range.toPosition,
      withRecordedAt: true,
    })) {
      const lines: string[] = [];
      for (const row of batch) {
        lines.push(eventLine(row));
        const known = streams.get(row.streamId);
        if (known === undefined) streams.set(row.streamId, { fromRevision: row.revision, headRevision: row.revision, headHash: row.hash });
        else if (row.revision > known.headRevision) {
          known.headRevision = row.revision;
          known.headHash = row.hash;
        }
        first ??= row.position;
        last = row.position;
      }
      count += batch.length;
      // Encoded once, for the digest and the file alike.
      const chunk = Buffer.from(lines.join(''));
      body.update(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      range.onProgress?.(count);
    }
    const previous = await previousHashes(client, streams);
    await client.query('COMMIT');
    // Every key in RFC 8785 order, the streams sorted by id: the manifest's own digest (canonical
    // JSON) is then what JSON.stringify writes, not a slow assembly of a 100,000-stream object.
    const manifest: Manifest = {
      bodySha256: body.digest('hex'),
      count,
      exportedAt: range.exportedAt.toISOString(),
      firstPosition: first?.toString() ?? null,
      format: exportFormat,
      lastPosition: last?.toString() ?? null,
      streams: Object.fromEntries(
        [...streams]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([id, stream]): [string, ManifestStream] => [
            id,
            {
              fromRevision: stream.fromRevision.toString(),
              headHash: stream.headHash.toString('hex'),
              headRevision: stream.headRevision.toString(),
              previousHash: (previous.get(id) ?? genesisHash).toString('hex'),
            },
          ]),
      ),
    };
    if (!out.write(manifestLine(manifest))) await once(out, 'drain');
    return { count, streams: streams.size, bodySha256: manifest.bodySha256 };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
};

/** The stored hash before the first exported event of each stream that began before the range. */
const previousHashes = async (
  client: pg.ClientBase,
  streams: ReadonlyMap<string, { readonly fromRevision: bigint }>,
): Promise<Map<string, Buffer>> => {
  const wanted = [...streams].filter(([, stream]) => stream.fromRevision > 0n);
  const found = new Map<string, Buffer>();
  for (let start = 0; start < wanted.length; start += 10_000) {
    const chunk = wanted.slice(start, start + 10_000);
    const { rows } = await client.query<{ stream_id: string; hash: Buffer }>(
      `SELECT e.stream_id, e.hash FROM unnest($1::text[], $2::bigint[]) AS k(stream_id, revision)
         JOIN events e ON e.stream_id = k.stream_id AND e.revision = k.revision`,
      [chunk.map(([id]) => id), chunk.map(([, stream]) => (stream.fromRevision - 1n).toString())],
    );
    for (const row of rows) found.set(row.stream_id, row.hash);
  }
  return found;
};
