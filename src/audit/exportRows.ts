import type pg from 'pg';
import { copyOut } from '../infrastructure/postgres/copyOut.ts';

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

/** The range as a WHERE clause on `position` (empty for the whole log); positions are bigints, written as digits. */
const positionBounds = (range: ExportRange): string => {
  const bounds = [
    ...(range.fromPosition === undefined ? [] : [`position >= ${BigInt(range.fromPosition).toString()}`]),
    ...(range.toPosition === undefined ? [] : [`position <= ${BigInt(range.toPosition).toString()}`]),
  ];
  return bounds.length === 0 ? '' : `WHERE ${bounds.join(' AND ')}`;
};

/** CSV whose delimiter and quote are control characters canonical JSON never holds raw: each value comes out as it is. */
const unquoted = `WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`;

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
  const copy = client.query(copyOut(`COPY (SELECT ${line} FROM events ${positionBounds(range)} ORDER BY position) TO STDOUT ${unquoted}`));
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

/** A stream's entry in the manifest, from a row `r` (stream_id, from_revision, head_revision), the head's hash (bytea) and the hash before it (hex). */
const manifestEntry = (r: { headHash: string; previousHash: string }) =>
  `to_json(r.stream_id)::text || ':{"fromRevision":"' || r.from_revision || '","headHash":"' || encode(${r.headHash}, 'hex')
   || '","headRevision":"' || r.head_revision || '","previousHash":"' || ${r.previousHash} || '"}'`;

/**
 * Of the whole log, every stream runs from revision 0 to its head, which `event_streams` holds with
 * its hash: no event need be read, where grouping 1,200,000 events by stream (a synthetic catalogue
 * with as many streams) spilled to disk and took 11.4 s, twice the body's time. The count is what
 * the store claims (each head's revision + 1): a log with an event deleted or added behind its back
 * exports a manifest that disagrees with the body, and `verify-export` says where.
 */
const wholeLogSpan = `
  SELECT coalesce(sum(r.head_revision + 1), 0)::bigint AS count, count(*) AS streams,
         (SELECT min(position) FROM events) AS first_position, (SELECT max(position) FROM events) AS last_position,
         string_agg(${manifestEntry({ headHash: 'r.last_hash', previousHash: "repeat('00', 32)" })}, ',' ORDER BY r.stream_id COLLATE "C") AS streams_json
    FROM (SELECT stream_id, 0 AS from_revision, revision AS head_revision, last_hash FROM event_streams) r`;

/**
 * Of a range, each stream's first and last revision in it. A stream whose last exported event is its
 * head takes the head's hash from `event_streams`, in one join (an index probe for each of 123,347
 * streams was half the time of an export); a stream that began before the range carries the hash
 * before its first exported event.
 */
const rangeSpan = (range: ExportRange) => `
  WITH ranged AS (
    SELECT stream_id, count(*) AS events, min(position) AS first_position, max(position) AS last_position,
           min(revision) AS from_revision, max(revision) AS head_revision
      FROM events ${positionBounds(range)}
     GROUP BY stream_id)
  SELECT coalesce(sum(r.events), 0)::bigint AS count, count(*) AS streams,
         min(r.first_position) AS first_position, max(r.last_position) AS last_position,
         string_agg(${manifestEntry({
           headHash: `CASE WHEN s.revision = r.head_revision THEN s.last_hash
                        ELSE (SELECT h.hash FROM events h WHERE h.stream_id = r.stream_id AND h.revision = r.head_revision) END`,
           previousHash: `CASE WHEN r.from_revision = 0 THEN repeat('00', 32)
                            ELSE encode((SELECT p.hash FROM events p WHERE p.stream_id = r.stream_id AND p.revision = r.from_revision - 1), 'hex') END`,
         })}, ',' ORDER BY r.stream_id COLLATE "C") AS streams_json
    FROM ranged r LEFT JOIN event_streams s ON s.stream_id = r.stream_id`;

/**
 * Every stream the range holds, with the revisions and hashes of its ends: the manifest's part, read
 * in the same snapshot as the body. Where the head row was tampered with, the manifest carries what
 * the store claims and `verify-export` finds the body's chain does not end there, as `audit verify`
 * does in the database. One row, read by `COPY` as the body is (the same unquoted CSV), so that its
 * streams arrive as bytes.
 */
export const exportedSpan = async (client: pg.ClientBase, range: ExportRange): Promise<ExportedSpan> => {
  const whole = range.fromPosition === undefined && range.toPosition === undefined;
  const copy = client.query(copyOut(`COPY (${whole ? wholeLogSpan : rangeSpan(range)}) TO STDOUT ${unquoted}`));
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
