import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { EventData, RecordedEvent } from '@eventstore/db-client';
import { chainHash, encodeEvent, firstBrokenLink, genesisHash } from '../../../../src/infrastructure/eventStore/envelope.ts';
import type { EventToAppend } from '../../../../src/infrastructure/eventStore/eventStore.ts';
import { toProposedEvent, toStoredEvent } from '../../../../src/infrastructure/eventStore/eventstoredb/recordedEvent.ts';
import { streamName } from '../../../../src/infrastructure/eventStore/streamName.ts';

// How an event's metadata sits in an EventStoreDB record and comes back, without a server (none can be
// had here): the record is what the client would give back for what the adapter proposed, through JSON.

const stream = streamName('movie', randomUUID());

const appended = (bulk?: boolean): EventToAppend => ({
  eventId: randomUUID(),
  type: 'MovieAdded',
  schemaVersion: 1,
  data: { title: 'Heat' },
  metadata: {
    occurredAt: '2026-12-04T12:00:00.000Z',
    actorId: null,
    correlationId: randomUUID(),
    causationId: null,
    ...(bulk === undefined ? {} : { bulk }),
  },
});

const asRecorded = (proposed: EventData, revision: bigint): RecordedEvent => ({
  streamId: stream,
  id: proposed.id,
  isJson: true,
  revision,
  type: proposed.type,
  created: new Date('2026-12-04T12:00:01Z'),
  data: JSON.parse(JSON.stringify(proposed.data)) as Record<string, unknown>,
  metadata: JSON.parse(JSON.stringify(proposed.metadata)) as Record<string, unknown>,
  position: { commit: 100n + revision, prepare: 100n + revision },
});

describe('an EventStoreDB record of ours', () => {
  it('gives back the bulk flag it was appended with, and none where none was given, with a chain that verifies', () => {
    const events = [appended(), appended(true), appended(false)];
    let hash: Buffer = genesisHash;
    const read = events.map((event, index) => {
      hash = chainHash(hash, encodeEvent(stream, event).digest);
      return toStoredEvent(asRecorded(toProposedEvent(event, hash.toString('hex')), BigInt(index)));
    });
    expect(read.map((event) => event?.metadata)).to.deep.equal(events.map((event) => event.metadata));
    expect(Object.keys(read[0]?.metadata ?? {})).not.to.include('bulk');
    expect(firstBrokenLink(read.flatMap((event) => (event === undefined ? [] : [event])))).to.equal(undefined);
  });
});
