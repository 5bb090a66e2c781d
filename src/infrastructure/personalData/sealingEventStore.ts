import type { EventStore, EventToAppend, JsonObject, StoredEvent, StreamName, Subscription } from '../eventStore/eventStore.ts';
import { WrongExpectedRevisionError } from '../eventStore/errors.ts';
import type { EmailReservationStreams } from './emailReservationStreams.ts';
import type { KeyState, PersonalDataKeys } from './keyStore.ts';
import { personalFieldsOf, redacted } from './personalFields.ts';
import { isSealed, open, seal } from './seal.ts';

/**
 * The store as commands, projections, reactors and auditors use it: personal fields are sealed with
 * their account's key on their way in, before the store hashes them into the chain, and opened on
 * their way out, reading as redacted once the key is destroyed (also plain fields written before
 * sealing, when their account was forgotten). Above the adapters, so PostgreSQL and EventStoreDB
 * both store only sealed text. E-mail reservation streams are kept under keyed names
 * (emailReservationStreams.ts); those created before are still found under their old names.
 */
export const sealingEventStore = (store: EventStore, keys: PersonalDataKeys, reservations: EmailReservationStreams): EventStore => {
  const sealEvent = async (event: EventToAppend): Promise<EventToAppend> => {
    const personal = personalFieldsOf(event.type, event.data);
    if (personal === undefined) return event;
    const key = await keys.keyFor(personal.userId);
    if (key === undefined) throw new Error(`account ${personal.userId} was forgotten: no personal data may be recorded for it`);
    const data: Record<string, JsonObject[string]> = { ...event.data };
    for (const field of personal.fields) {
      const value = data[field];
      if (typeof value === 'string') data[field] = { ...seal(key, personal.userId, field, value) };
    }
    return { ...event, data };
  };

  const openEvents = async (events: readonly StoredEvent[]): Promise<StoredEvent[]> => {
    const owners = events.flatMap((event) => personalFieldsOf(event.type, event.data)?.userId ?? []);
    if (owners.length === 0) return [...events];
    const known = await keys.lookUp(owners);
    return events.map((event) => openEvent(event, known));
  };

  /** Where a reservation lives: under its keyed name, or its old name for one made before sealing. */
  const storedName = async (stream: StreamName): Promise<StreamName> => {
    const keyed = reservations.keyed(stream);
    if (keyed === stream) return stream;
    const [atKeyed] = await store.readStream(keyed, { maxCount: 1 });
    if (atKeyed !== undefined) return keyed;
    const [atOld] = await store.readStream(stream, { maxCount: 1 });
    return atOld === undefined ? keyed : stream;
  };

  return {
    ...store,
    appendToStream: async (stream, events, options) => {
      const target = await storedName(stream);
      const keptUnderOldName = reservations.keyed(stream) !== stream && target === stream;
      // A new reservation under the keyed name must not duplicate one made under the old name.
      if (keptUnderOldName && options?.expectedRevision === 'no_stream')
        throw new WrongExpectedRevisionError(stream, 'no_stream', await lastRevision(store, stream));
      return store.appendToStream(target, await Promise.all(events.map(sealEvent)), options);
    },
    readStream: async (stream, options) => openEvents(await store.readStream(await storedName(stream), options)),
    readAll: async (options) => openEvents(await store.readAll(options)),
    subscribeToAll: (options) => openingSubscription(store.subscribeToAll(options), openEvents),
  };
};

const lastRevision = async (store: EventStore, stream: StreamName): Promise<bigint> => {
  const [last] = await store.readStream(stream, { direction: 'backwards', fromRevision: 'end', maxCount: 1 });
  return last?.revision ?? -1n;
};

const openEvent = (event: StoredEvent, known: ReadonlyMap<string, KeyState>): StoredEvent => {
  const personal = personalFieldsOf(event.type, event.data);
  if (personal === undefined) return event;
  const state = known.get(personal.userId);
  const data: Record<string, JsonObject[string]> = { ...event.data };
  for (const field of personal.fields) {
    const value = data[field];
    if (isSealed(value)) {
      const opened = state?.kind === 'key' ? open(state.key, personal.userId, field, value) : undefined;
      data[field] = opened ?? redacted[field];
    } else if (state?.kind === 'forgotten') {
      // Written in clear before sealing: the log keeps it (it cannot be rewritten), readers do not see it.
      data[field] = redacted[field];
    }
  }
  return { ...event, data };
};

const openingSubscription = (
  subscription: Subscription,
  openEvents: (events: readonly StoredEvent[]) => Promise<StoredEvent[]>,
): Subscription => ({
  close: subscription.close,
  [Symbol.asyncIterator]: async function* () {
    for await (const batch of subscription) yield { ...batch, events: await openEvents(batch.events) };
  },
});
