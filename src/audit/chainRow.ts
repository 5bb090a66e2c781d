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
  readonly recordedAt: Date;
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
  readonly recorded_at: Date;
}

const columns = `position, stream_id, revision, event_id::text AS event_id, type, schema_version, data::text AS data, metadata::text AS metadata, hash, recorded_at`;

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
  recordedAt: row.recorded_at,
});

export interface ChainReadOptions {
  /** One stream only, in revision order; otherwise the whole log in position order. */
  readonly stream?: string;
  /** Inclusive position bounds. */
  readonly fromPosition?: bigint;
  readonly toPosition?: bigint;
  readonly batchSize?: number;
}

/**
 * The log in batches, keyset-paged on the primary key. Run it on a client inside one REPEATABLE READ
 * transaction so that every batch (and the heads read beside them) comes from one snapshot. The next
 * batch is asked for before the one in hand is handed over: the database reads while the caller hashes.
 */
export async function* readChainRows(client: pg.ClientBase, options: ChainReadOptions = {}): AsyncGenerator<readonly ChainRow[]> {
  const batchSize = options.batchSize ?? 5_000;
  const [key, where] =
    options.stream === undefined
      ? ['position', 'position > $1 AND position <= $2']
      : ['revision', 'stream_id = $4 AND revision > $1 AND position <= $2'];
  const text = `SELECT ${columns} FROM events WHERE ${where} AND position >= $3 ORDER BY ${key} LIMIT ${batchSize}`;
  const read = (after: bigint) =>
    client.query<RawChainRow>(text, [
      after,
      options.toPosition ?? 9223372036854775807n,
      options.fromPosition ?? -1n,
      ...(options.stream === undefined ? [] : [options.stream]),
    ]);
  let pending = read(-1n);
  for (;;) {
    const { rows } = await pending;
    const last = rows[rows.length - 1];
    if (rows.length === batchSize && last !== undefined)
      pending = read(BigInt(options.stream === undefined ? last.position : last.revision));
    yield rows.map(toChainRow);
    if (rows.length < batchSize) return;
  }
}
