import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

// What `audit export` reads: each event's line written by PostgreSQL, exactly as exportFormat.ts's
// `eventLine` writes it from a parsed row (a test holds the two together), and each exported stream's
// revisions and hashes for the manifest. Building the lines in Node cost eleven columns parsed, a
// BigInt or two and a Date per event, and bounded the export at some 50,000 events per second of the
// client's CPU; now the client passes on the bytes PostgreSQL sends, hashing them on the way.
//
// `to_json` writes stream ids, event types and uuids as JSON.stringify does (they hold letters,
// digits and `._:@+=-` only); `data` and `metadata` are the `json` columns' text, byte for byte as
// hashed; the time is the millisecond toISOString gives (both truncate the microseconds).

export interface ExportRange {
  readonly fromPosition?: bigint;
  readonly toPosition?: bigint;
}

const line = `'{"position":"' || position || '","streamId":' || to_json(stream_id)::text || ',"revision":"' || revision
  || '","eventId":"' || event_id || '","type":' || to_json(type)::text || ',"schemaVersion":' || schema_version
  || ',"data":' || data::text || ',"metadata":' || metadata::text || ',"hash":"' || encode(hash, 'hex')
  || '","recordedAt":"' || to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"}'`;

const newline = 0x0a;

/**
 * The body of the export, the lines in position order, streamed by `COPY … TO STDOUT` straight into
 * `write`; resolves to the number of lines. CSV whose delimiter and quote are control characters that
 * canonical JSON never holds raw (it writes them `\u0001`, `\u0002`) writes each line as it is, with
 * no quoting or escaping, each ended by a newline: the bytes on the wire are the bytes of the file. A
 * line that did hold one (a value changed behind the store's back) would come out quoted, and fail
 * `verify-export` as the edit it is. Run it inside the export's one REPEATABLE READ transaction.
 */
export const exportBody = async (
  client: pg.ClientBase,
  range: ExportRange,
  write: (chunk: Buffer) => Promise<void>,
  onLines?: (lines: number) => void,
): Promise<number> => {
  const bounds = [
    ...(range.fromPosition === undefined ? [] : [`position >= ${BigInt(range.fromPosition).toString()}`]),
    ...(range.toPosition === undefined ? [] : [`position <= ${BigInt(range.toPosition).toString()}`]),
  ];
  const copy = client.query(
    copyTo(
      `COPY (SELECT ${line} FROM events ${bounds.length === 0 ? '' : `WHERE ${bounds.join(' AND ')}`} ORDER BY position)
         TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`,
    ),
  );
  let lines = 0;
  for await (const chunk of copy as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(newline); at !== -1; at = chunk.indexOf(newline, at + 1)) lines++;
    await write(chunk);
    onLines?.(lines);
  }
  return lines;
};

export interface ExportedSpan {
  readonly count: number;
  readonly streams: number;
  readonly firstPosition: bigint | null;
  readonly lastPosition: bigint | null;
  /**
   * The manifest's `streams` object as canonical JSON (exportFormat.ts's ManifestStream for each
   * stream, keys in RFC 8785 order, streams by id in code-unit order), UTF-8 as PostgreSQL wrote it:
   * a hundred thousand streams parsed into objects and serialised again cost a second of the
   * client's. Bytes rather than a string: at about 260 bytes a stream, a log of some two million
   * streams would need a string longer than V8 allows (2^29 - 24 characters), and the export failed.
   */
  readonly streamsJson: Buffer;
}

const delimiter = 0x02;

/**
 * Every stream the range holds, with the revisions and hashes of its ends: the manifest's part. A
 * stream whose last exported event is its head (every stream, when the range runs to the end of the
 * log) takes the head's hash from `event_streams`, read in the same snapshot as the body, in one join;
 * an index probe for each of 123,347 streams was half the time of a whole-log export. Where the head
 * row was tampered with, the manifest carries what the store claims and `verify-export` finds the
 * body's chain does not end there, as `audit verify` does in the database. One row, read by `COPY` as
 * the body is (the same unquoted CSV), so that its streams arrive as bytes.
 */
export const exportedSpan = async (client: pg.ClientBase, range: ExportRange): Promise<ExportedSpan> => {
  const bounds = `position >= ${BigInt(range.fromPosition ?? 0).toString()}${
    range.toPosition === undefined ? '' : ` AND position <= ${BigInt(range.toPosition).toString()}`
  }`;
  const copy = client.query(
    copyTo(
      `COPY (WITH ranged AS (
       SELECT stream_id, count(*) AS events, min(position) AS first_position, max(position) AS last_position,
              min(revision) AS from_revision, max(revision) AS head_revision
         FROM events
        WHERE ${bounds}
        GROUP BY stream_id)
     SELECT coalesce(sum(r.events), 0)::bigint AS count, count(*) AS streams,
            min(r.first_position) AS first_position, max(r.last_position) AS last_position,
            string_agg(to_json(r.stream_id)::text || ':{"fromRevision":"' || r.from_revision
                       || '","headHash":"' || encode(CASE WHEN s.revision = r.head_revision THEN s.last_hash
                            ELSE (SELECT h.hash FROM events h WHERE h.stream_id = r.stream_id AND h.revision = r.head_revision) END, 'hex')
                       || '","headRevision":"' || r.head_revision
                       || '","previousHash":"' || CASE WHEN r.from_revision = 0 THEN repeat('00', 32)
                            ELSE encode((SELECT p.hash FROM events p WHERE p.stream_id = r.stream_id AND p.revision = r.from_revision - 1), 'hex') END
                       || '"}', ',' ORDER BY r.stream_id COLLATE "C") AS streams_json
       FROM ranged r LEFT JOIN event_streams s ON s.stream_id = r.stream_id)
         TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`,
    ),
  );
  const chunks: Buffer[] = [];
  for await (const chunk of copy as AsyncIterable<Buffer>) chunks.push(chunk);
  const row = Buffer.concat(chunks);
  // count, streams, first and last position, then the streams, then a newline. NULL is written as
  // nothing (an empty string would be quoted), so a range without events has empty fields.
  const fields: string[] = [];
  let at = 0;
  for (let field = 0; field < 4; field++) {
    const end = row.indexOf(delimiter, at);
    if (end === -1) throw new Error('the span query answered no row');
    fields.push(row.toString('latin1', at, end));
    at = end + 1;
  }
  const [count = '0', streams = '0', first = '', last = ''] = fields;
  return {
    count: Number(count),
    streams: Number(streams),
    firstPosition: first === '' ? null : BigInt(first),
    lastPosition: last === '' ? null : BigInt(last),
    streamsJson: row.subarray(at, row[row.length - 1] === newline ? row.length - 1 : row.length),
  };
};
