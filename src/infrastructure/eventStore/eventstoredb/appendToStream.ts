import { NO_STREAM, WrongExpectedVersionError } from '@eventstore/db-client';
import type { AppendExpectedRevision, RecordedEvent } from '@eventstore/db-client';
import { checkAppend, type CheckedAppend } from '../checkAppend.ts';
import { chainHash, encodeEvent, genesisHash } from '../envelope.ts';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../errors.ts';
import type { AppendResult, EventStore, ExpectedRevision, StreamRevision } from '../eventStore.ts';
import { fromEsdbPosition } from './positions.ts';
import { chainedHashOf, positionOf, toProposedEvent } from './recordedEvent.ts';
import { currentRevision, readStreamRecords, type StreamClient } from './streamReads.ts';
import { isTransient, translateError } from './clientErrors.ts';

// An append reads the stream's last event first: its hash is the link the new events chain to, and
// its revision tells a retry from a conflict before anything is sent.
//
// The chain is computed from the event just read, so the events must land right after it. The
// append therefore always sends the revision it read as the expected one (NO_STREAM for none), even
// when the caller said 'any' or 'stream_exists': EventStoreDB's ANY and STREAM_EXISTS would let a
// concurrent writer slip in between and fork the chain. A conflict caused that way is no conflict to
// a caller who said 'any', so those appends read and try again until they land, as PostgreSQL's
// never fail: each such conflict means another append landed, so the writers as a whole always
// progress, and a growing random pause keeps one writer from losing every round.
//
// A failure that says nothing about the append (unavailable, deadline, not the leader: the client
// then reconnects to the leader) is tried again a few times. The append may have landed before the
// answer was lost: the next attempt's read recognises its own events and answers as a retry.

/** Attempts after transient failures before the append reports the store unavailable. */
const transientAttempts = 3;
/** How many events beyond its own an 'any' append looks back through to recognise itself. */
const retryWindow = 16;

type Outcome =
  { readonly kind: 'done'; readonly result: AppendResult } | { readonly kind: 'conflict'; readonly actual: StreamRevision | 'no_stream' };

export const createAppender =
  (client: StreamClient): EventStore['appendToStream'] =>
  async (stream, events, options) => {
    const checked = checkAppend(stream, events, options?.expectedRevision);
    const exact = checked.expectedRevision !== 'any' && checked.expectedRevision !== 'stream_exists';
    /** The revision the server last reported, for a stream whose events were all truncated away. */
    let reported: StreamRevision | 'no_stream' = 'no_stream';
    let transient = 0;
    for (let conflicts = 0; ;) {
      try {
        const tail = await readStreamRecords(client, checked.stream, {
          direction: 'backwards',
          maxCount: exact ? 1 : checked.events.length + retryWindow,
        });
        // No event readable: a new stream, or one truncated to nothing, whose revision only the
        // server knows. An exact expectation is put to the server as it is; it refuses a wrong one.
        const expected = checked.expectedRevision;
        const current = tail[0]?.revision ?? (typeof expected === 'bigint' ? expected : reported);
        const earlier = exact ? await earlierExactAppend(client, checked, current) : earlierAppendInTail(checked, tail);
        if (earlier !== undefined) return earlier;
        if (!meets(checked.expectedRevision, current))
          throw new WrongExpectedRevisionError(checked.stream, checked.expectedRevision, current);
        if (checked.events.length === 0)
          return { nextExpectedRevision: current === 'no_stream' ? -1n : current, position: null, appended: false };
        const outcome = await write(client, checked, tail[0], current);
        if (outcome.kind === 'done') return outcome.result;
        if (exact) throw new WrongExpectedRevisionError(checked.stream, checked.expectedRevision, outcome.actual);
        reported = outcome.actual;
        conflicts++;
        await pause(conflicts);
      } catch (error) {
        if (!isTransient(error) || ++transient >= transientAttempts)
          throw translateError(error, `appending to ${checked.stream}`, checked.stream);
        await new Promise((resolve) => setTimeout(resolve, 100 * transient));
      }
    }
  };

/** Nothing after the first conflicts; then a random pause growing to at most 50 ms. */
const pause = async (conflicts: number): Promise<void> => {
  if (conflicts < 3) return;
  const ms = Math.random() * Math.min(2 ** conflicts, 50);
  await new Promise((resolve) => setTimeout(resolve, ms));
};

const write = async (
  client: StreamClient,
  checked: CheckedAppend,
  last: RecordedEvent | undefined,
  current: StreamRevision | 'no_stream',
): Promise<Outcome> => {
  // A stream whose events were all truncated ($tb, $maxCount, scavenge) has no hash left to chain
  // to: its chain starts again from the genesis hash (see the README on truncation).
  let hash = last === undefined ? genesisHash : chainedHashOf(last);
  const proposed = checked.events.map((event) => {
    hash = chainHash(hash, encodeEvent(checked.stream, event).digest);
    return toProposedEvent(event, hash.toString('hex'));
  });
  const expectedRevision: AppendExpectedRevision = current === 'no_stream' ? NO_STREAM : current;
  try {
    const result = await client.appendToStream(checked.stream, proposed, { expectedRevision, requiresLeader: true });
    // Only a client built with throwOnAppendFailure: false answers a conflict this way, and its
    // batch-append path misreports the current revision, hence the read.
    if (!result.success) return { kind: 'conflict', actual: await currentRevision(client, checked.stream) };
    const position = fromEsdbPosition(result.position);
    if (position !== undefined)
      return { kind: 'done', result: { nextExpectedRevision: result.nextExpectedRevision, position, appended: true } };
    // The server found these very ids right after the expected revision (a concurrent twin of this
    // call got there first) and wrote nothing. Older servers say so by leaving out the position;
    // newer ones give the position of the events found, indistinguishable from a write, so there a
    // twin racing this call is reported as appended too (the events are stored once all the same).
    const [found] = await readStreamRecords(client, checked.stream, { fromRevision: result.nextExpectedRevision, maxCount: 1 });
    return {
      kind: 'done',
      result: {
        nextExpectedRevision: result.nextExpectedRevision,
        position: found === undefined ? null : positionOf(found),
        appended: false,
      },
    };
  } catch (error) {
    if (!(error instanceof WrongExpectedVersionError)) throw error;
    const actual = error.actualVersion;
    return { kind: 'conflict', actual: actual === 'no_stream' || actual < 0n ? 'no_stream' : actual };
  }
};

/**
 * For an exact expected revision: whether these events already follow it, appended by an earlier
 * call that the caller did not hear back from. The stream having moved past the expected revision is
 * the only sign worth a look.
 */
const earlierExactAppend = async (
  client: StreamClient,
  checked: CheckedAppend,
  current: StreamRevision | 'no_stream',
): Promise<AppendResult | undefined> => {
  const expected = checked.expectedRevision;
  if (checked.events.length === 0 || current === 'no_stream' || expected === 'any' || expected === 'stream_exists') return undefined;
  const first = expected === 'no_stream' ? 0n : expected + 1n;
  if (current < first) return undefined;
  const found = await readStreamRecords(client, checked.stream, { fromRevision: first, maxCount: checked.events.length });
  return isSameAppend(checked, found, first) ? alreadyAppended(found) : undefined;
};

/**
 * For 'any' and 'stream_exists': whether these events are among the last of the stream, in order
 * and back to back. EventStoreDB keeps no index by event id, so this looks back over a window only:
 * a retry made after more than `retryWindow` other events were appended appends the events again.
 */
const earlierAppendInTail = (checked: CheckedAppend, tail: readonly RecordedEvent[]): AppendResult | undefined => {
  const ids = checked.events.map((event) => event.eventId);
  const forwards = [...tail].reverse();
  const start = forwards.findIndex((record) => record.id.toLowerCase() === ids[0]);
  const run = start < 0 ? [] : forwards.slice(start, start + ids.length);
  const first = run[0];
  if (first !== undefined && isSameAppend(checked, run, first.revision)) return alreadyAppended(run);
  if (forwards.some((record) => ids.includes(record.id.toLowerCase()))) throw new DuplicateEventIdError(checked.stream);
  return undefined;
};

const isSameAppend = (checked: CheckedAppend, records: readonly RecordedEvent[], first: StreamRevision): boolean =>
  records.length === checked.events.length &&
  records.every((record, index) => record.id.toLowerCase() === checked.events[index]?.eventId && record.revision === first + BigInt(index));

const alreadyAppended = (records: readonly RecordedEvent[]): AppendResult | undefined => {
  const last = records[records.length - 1];
  return last === undefined ? undefined : { nextExpectedRevision: last.revision, position: positionOf(last), appended: false };
};

const meets = (expected: ExpectedRevision, current: StreamRevision | 'no_stream'): boolean => {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === 'no_stream';
    case 'stream_exists':
      return current !== 'no_stream';
    default:
      return current === expected;
  }
};
