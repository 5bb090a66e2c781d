import { hash } from 'node:crypto';
import type pg from 'pg';
import { chainHash, genesisHash } from '../infrastructure/eventStore/envelope.ts';

// An event as `audit verify` and `audit export` read it: data and metadata as the text that was
// hashed (the `json` column keeps it byte for byte), so that checking a chain parses no JSON. The
// digest is assembled exactly as envelope.ts's `encodeEvent` assembles it from the same parts (a unit
// test holds the two together).

export interface ChainRow {
  readonly position: bigint;
  readonly streamId: string;
  readonly revision: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly dataJson: string;
  readonly metadataJson: string;
  readonly hash: Buffer;
  /** Null unless asked for (`withRecordedAt`): verifying needs no time, and parsing one costs. */
  readonly recordedAt: Date | null;
}

export { chainHash, genesisHash };

export const digestOf = (row: Pick<ChainRow, 'streamId' | 'eventId' | 'type' | 'schemaVersion' | 'dataJson' | 'metadataJson'>): Buffer =>
  hash(
    'sha256',
    `{"data":${row.dataJson},"eventId":${JSON.stringify(row.eventId)},"metadata":${row.metadataJson},` +
      `"schemaVersion":${row.schemaVersion},"streamName":${JSON.stringify(row.streamId)},"type":${JSON.stringify(row.type)}}`,
    'buffer',
  );

interface RawChainRow {
  readonly position: string;
  readonly stream_id: string;
  readonly revision: string;
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly data: string;
  readonly metadata: string;
  readonly hash: Buffer;
  readonly recorded_at?: Date;
}

const columns = `position, stream_id, revision, event_id::text AS event_id, type, schema_version, data::text AS data, metadata::text AS metadata, hash`;

const toChainRow = (row: RawChainRow): ChainRow => ({
  position: BigInt(row.position),
  streamId: row.stream_id,
  revision: BigInt(row.revision),
  eventId: row.event_id,
  type: row.type,
  schemaVersion: row.schema_version,
  dataJson: row.data,
  metadataJson: row.metadata,
  hash: row.hash,
  recordedAt: row.recorded_at ?? null,
});

export interface ChainReadOptions {
  /** One stream only, in revision order; otherwise the whole log in position order. */
  readonly stream?: string;
  /** Inclusive position bounds. */
  readonly fromPosition?: bigint;
  readonly toPosition?: bigint;
  readonly batchSize?: number;
  readonly withRecordedAt?: boolean;
}

/**
 * The log in batches, keyset-paged on the primary key (or, for one stream, on its revision index).
 * Run it on a client inside one REPEATABLE READ transaction so that every batch (and the heads read
 * beside them) comes from one snapshot. Each read has one lower bound and a LIMIT, and the upper
 * bound is applied here: given both, the planner takes the range for a small one and reads and sorts
 * the whole rest of the log for every batch (see eventStore/postgres/statements.ts). The next batch
 * is asked for before the one in hand is handed over: the database reads while the caller hashes.
 */
export async function* readChainRows(client: pg.ClientBase, options: ChainReadOptions = {}): AsyncGenerator<readonly ChainRow[]> {
  const batchSize = options.batchSize ?? 5_000;
  const to = options.toPosition;
  const stream = options.stream;
  const selected = options.withRecordedAt === true ? `${columns}, recorded_at` : columns;
  const text =
    stream === undefined
      ? `SELECT ${selected} FROM events WHERE position > $1 ORDER BY position LIMIT ${batchSize}`
      : `SELECT ${selected} FROM events WHERE stream_id = $2 AND revision > $1 ORDER BY revision LIMIT ${batchSize}`;
  const read = (after: bigint) => client.query<RawChainRow>(text, stream === undefined ? [after] : [after, stream]);
  let pending = read(stream === undefined && options.fromPosition !== undefined ? options.fromPosition - 1n : -1n);
  for (;;) {
    const { rows } = await pending;
    const last = rows[rows.length - 1];
    const more = rows.length === batchSize && last !== undefined && (to === undefined || BigInt(last.position) < to);
    if (more) pending = read(BigInt(stream === undefined ? last.position : last.revision));
    const batch = rows.map(toChainRow);
    yield to === undefined ? batch : batch.filter((row) => row.position <= to);
    if (!more) return;
  }
}
