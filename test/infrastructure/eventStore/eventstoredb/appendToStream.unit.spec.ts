import { randomUUID } from 'node:crypto';
import {
  NO_STREAM,
  NotLeaderError,
  StreamDeletedError as ClientStreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { AppendResult, EventData, RecordedEvent, ResolvedEvent } from '@eventstore/db-client';
import { Metadata, status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { chainHash, encodeEvent, genesisHash } from '../../../../src/infrastructure/eventStore/envelope.ts';
import { StreamDeletedError } from '../../../../src/infrastructure/eventStore/errors.ts';
import type { EventToAppend, StreamName } from '../../../../src/infrastructure/eventStore/eventStore.ts';
import { createAppender } from '../../../../src/infrastructure/eventStore/eventstoredb/appendToStream.ts';
import { readStreamEvents, type StreamClient } from '../../../../src/infrastructure/eventStore/eventstoredb/streamReads.ts';

// The EventStoreDB appender's own logic (retries, recognising itself, truncated streams, errors)
// over a scripted client: one stream kept in an array, with the revision checks the server makes
// and faults injected where a test says. A unit test of the adapter, not a model of EventStoreDB.

const stream = 'movie-1' as StreamName;

const event = (n: number): EventToAppend => ({
  eventId: randomUUID(),
  type: 'Happened',
  schemaVersion: 1,
  data: { n },
  metadata: { occurredAt: '2026-12-04T12:00:00.000Z', actorId: null, correlationId: randomUUID(), causationId: null },
});

interface Script {
  /** Runs before each append reaches the revision check; may append a rival's record or throw. */
  beforeAppend?: (call: number, records: RecordedEvent[]) => void;
  /** Runs before each read. */
  beforeRead?: (call: number) => void;
  /** Revisions below this are gone ($tb, $maxCount, scavenge). */
  truncatedBefore?: bigint;
}

const scriptedClient = (script: Script = {}) => {
  const records: RecordedEvent[] = [];
  let position = 0n;
  let appends = 0;
  let reads = 0;
  const record = (data: EventData): RecordedEvent => {
    position += 100n;
    return {
      streamId: stream,
      id: data.id,
      isJson: true,
      revision: BigInt(records.length),
      type: data.type,
      created: new Date(),
      data: data.data as Record<string, unknown>,
      metadata: data.metadata as Record<string, unknown>,
      position: { commit: position, prepare: position },
    };
  };
  const client: StreamClient = {
    readStream: (_name, options) => {
      script.beforeRead?.(++reads);
      const visible = records.filter((r) => r.revision >= (script.truncatedBefore ?? 0n));
      const backwards = options.direction === 'backwards';
      const from = options.fromRevision;
      const selected = (backwards ? [...visible].reverse() : visible)
        .filter((r) => typeof from !== 'bigint' || (backwards ? r.revision <= from : r.revision >= from))
        .slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER));
      async function* read(): AsyncGenerator<ResolvedEvent> {
        await Promise.resolve();
        if (records.length === 0) throw new StreamNotFoundError(undefined, stream);
        for (const event of selected) yield { event };
      }
      return Object.assign(read(), { cancel: () => Promise.resolve() });
    },
    appendToStream: (_name, events, options) => {
      script.beforeAppend?.(++appends, records);
      const current = records.length === 0 ? NO_STREAM : BigInt(records.length - 1);
      if (options.expectedRevision !== current) {
        const expected = options.expectedRevision ?? 'any';
        return Promise.reject(new WrongExpectedVersionError(undefined, { streamName: stream, expected, current }));
      }
      for (const data of events) records.push(record(data));
      const last = records[records.length - 1];
      const result: AppendResult = { success: true, nextExpectedRevision: last?.revision ?? -1n, position: last?.position };
      return Promise.resolve(result);
    },
  };
  return { client, records, appends: () => appends };
};

/** A record of ours, appended by a rival writer straight into the stream. */
const rival = (records: RecordedEvent[]): void => {
  const at = BigInt(records.length);
  records.push({
    ...(records[0] as RecordedEvent),
    id: randomUUID(),
    revision: at,
    position: { commit: 10_000n + at, prepare: 10_000n + at },
  });
};

/** What a follower answers a request that requires the leader. */
const notLeader = (): NotLeaderError => {
  const metadata = new Metadata();
  metadata.set('exception', 'not-leader');
  metadata.set('leader-endpoint-host', 'leader.example');
  metadata.set('leader-endpoint-port', '2113');
  return new NotLeaderError(
    Object.assign(new Error('Leader info available'), { code: status.NOT_FOUND, details: 'Leader info available', metadata }),
  );
};

const hashOf = (record: RecordedEvent | undefined): string => (record?.metadata as { hash: string }).hash;

describe('EventStoreDB appender, over a scripted client', () => {
  it("lands an 'any' append however many conflicts come first (it gave up after 10)", async () => {
    const { client, records, appends } = scriptedClient({
      beforeAppend: (call, stored) => {
        if (call > 1 && call <= 16) rival(stored);
      },
    });
    const append = createAppender(client);
    await append(stream, [event(0)], { expectedRevision: 'no_stream' });
    const mine = event(1);
    const result = await append(stream, [mine], { expectedRevision: 'any' });
    expect(appends()).to.equal(17);
    expect(result).to.include({ nextExpectedRevision: 16n, appended: true });
    // Chained to the last record it read, right before it.
    const [before, stored] = records.slice(-2);
    expect(before?.revision).to.equal(15n);
    expect(stored?.id).to.equal(mine.eventId);
    expect(hashOf(stored)).to.equal(chainHash(Buffer.from(hashOf(before), 'hex'), encodeEvent(stream, mine).digest).toString('hex'));
  });

  it('answers as a retry when an append landed but its answer was lost', async () => {
    const { client, records } = scriptedClient();
    const first = event(0);
    let landed = false;
    const lossy: StreamClient = {
      ...client,
      appendToStream: async (name, events, options) => {
        const result = await client.appendToStream(name, events, options);
        // The write lands; the connection drops before the answer.
        if (!landed) {
          landed = true;
          throw new UnavailableError(undefined, '14 UNAVAILABLE: Connection dropped');
        }
        return result;
      },
    };
    const result = await createAppender(lossy)(stream, [first], { expectedRevision: 'no_stream' });
    expect(records.map((r) => r.id)).to.deep.equal([first.eventId]);
    expect(result).to.deep.include({ nextExpectedRevision: 0n, appended: false });
    expect(result.position).to.equal(records[0]?.position?.commit);
  });

  it('starts the chain again from genesis on a stream truncated to nothing, at the revision the server reports', async () => {
    const script: Script = {};
    const { client, records } = scriptedClient(script);
    const append = createAppender(client);
    await append(stream, [event(0), event(1), event(2)], { expectedRevision: 'no_stream' });
    script.truncatedBefore = 3n;
    const next = event(3);
    const result = await append(stream, [next], { expectedRevision: 'any' });
    expect(result).to.include({ nextExpectedRevision: 3n, appended: true });
    expect(hashOf(records[3])).to.equal(chainHash(genesisHash, encodeEvent(stream, next).digest).toString('hex'));
  });

  it('asks again after a NotLeader answer, and translates a deleted stream', async () => {
    const script: Script = {};
    const { client } = scriptedClient(script);
    await createAppender(client)(stream, [event(0)], { expectedRevision: 'no_stream' });
    // A stream read (a command's fold) asked of a follower: the client moves to the leader, the read is asked again.
    let answered = false;
    script.beforeRead = () => {
      if (answered) return;
      answered = true;
      throw notLeader();
    };
    expect((await readStreamEvents(client, stream)).map((e) => e.data)).to.deep.equal([{ n: 0 }]);
    expect(answered).to.equal(true);

    const deleted: StreamClient = {
      readStream: () => {
        throw new ClientStreamDeletedError(undefined, stream);
      },
      appendToStream: () => Promise.reject(new ClientStreamDeletedError(undefined, stream)),
    };
    expect(await readStreamEvents(deleted, stream)).to.deep.equal([]);
    const error = await createAppender(deleted)(stream, [event(0)]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(StreamDeletedError);
  });
});
