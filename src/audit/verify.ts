import type pg from 'pg';
import { chainChecker, type ChainBreak, type RecordedHead } from './chainCheck.ts';
import { readChainRows } from './chainRow.ts';
import { verifyInDatabase } from './verifyInDatabase.ts';

// `audit verify [--stream <id>]`: every chain recomputed over the whole log (or one stream) and held
// against the recorded heads, all read from one snapshot so that appends running meanwhile cannot
// look like breaks. PostgreSQL only: it reads the event tables and `event_streams` directly. The
// database checks first (verifyInDatabase.ts); only when it finds something amiss is the log read
// here, to say what and where.

export interface VerifyReport {
  readonly events: number;
  readonly streams: number;
  /** The last position checked; null for an empty log. */
  readonly lastPosition: bigint | null;
  /** By position; the first is the first break in the log. */
  readonly breaks: readonly ChainBreak[];
}

export interface VerifyOptions {
  readonly stream?: string;
  /** Called once with the number of events to check, then after every batch. */
  readonly onTotal?: (events: number) => void;
  readonly onProgress?: (checked: number) => void;
  /** False: read and check every event in Node, as before the database pass (bench/audit compares the two). */
  readonly databasePass?: boolean;
}

export type VerifyOutcome = { readonly outcome: 'unknown' } | ({ readonly outcome: 'verified' } & VerifyReport);

export const verifyLog = async (pool: pg.Pool, options: VerifyOptions = {}): Promise<VerifyOutcome> => {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    if (options.databasePass !== false) {
      const verdict = await verifyInDatabase(client, options.stream);
      options.onTotal?.(verdict.events);
      if (verdict.suspectStreams === 0) {
        await client.query('COMMIT');
        options.onProgress?.(verdict.events);
        if (options.stream !== undefined && verdict.events === 0) return { outcome: 'unknown' };
        return { outcome: 'verified', events: verdict.events, streams: verdict.streams, lastPosition: verdict.lastPosition, breaks: [] };
      }
    }
    const heads = await recordedHeads(client, options.stream);
    const checker = chainChecker(heads);
    let events = 0;
    let lastPosition: bigint | null = null;
    for await (const batch of readChainRows(client, options.stream === undefined ? {} : { stream: options.stream })) {
      for (const row of batch) {
        checker.add(row);
        if (lastPosition === null || row.position > lastPosition) lastPosition = row.position;
      }
      events += batch.length;
      options.onProgress?.(events);
    }
    await client.query('COMMIT');
    if (options.stream !== undefined && events === 0 && heads.size === 0) return { outcome: 'unknown' };
    const breaks = checker.finish();
    const streams = Math.max(heads.size, events > 0 ? 1 : 0);
    return { outcome: 'verified', events, streams, lastPosition, breaks };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
};

const recordedHeads = async (client: pg.ClientBase, stream: string | undefined): Promise<Map<string, RecordedHead>> => {
  const { rows } = await client.query<{ stream_id: string; revision: string; last_hash: Buffer }>(
    'SELECT stream_id, revision, last_hash FROM event_streams WHERE $1::text IS NULL OR stream_id = $1',
    [stream ?? null],
  );
  return new Map(rows.map((row) => [row.stream_id, { revision: BigInt(row.revision), lastHash: row.last_hash }]));
};
