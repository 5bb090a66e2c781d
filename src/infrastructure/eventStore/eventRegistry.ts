import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { EventOf, JsonRecord, SomeEventDefinition } from '../../domain/shared/eventDefinition.ts';
import { fieldErrors } from '../codecs/decodeErrors.ts';
import type { JsonObject, StoredEvent } from './eventStore.ts';
import { InvalidEventError, UndecodableEventError } from './errors.ts';

/** A stored event decoded into the current shape of its type. */
export type RecordedEvent<Event> = Event &
  Omit<StoredEvent, 'type' | 'data' | 'schemaVersion'> & {
    /** The version it was stored at; `data` has been upcast from it to the current version. */
    readonly storedSchemaVersion: number;
  };

export interface EventRegistry<Event extends { readonly type: string; readonly data: unknown }> {
  readonly types: readonly Event['type'][];
  /** The stored form of an event; a Left when its data fails its codec, so that it is never appended. */
  readonly encode: (event: Event) => E.Either<InvalidEventError, { type: string; schemaVersion: number; data: JsonObject }>;
  /**
   * Upcasts to the current version, then decodes; a Left for unknown types and data that fails. The
   * answer for a stored event is remembered while the event is referenced.
   */
  readonly decode: (stored: StoredEvent) => E.Either<UndecodableEventError, RecordedEvent<Event>>;
}

export const eventRegistry = <Definitions extends readonly SomeEventDefinition[]>(
  definitions: Definitions,
): EventRegistry<EventOf<Definitions[number]>> => {
  type Event = EventOf<Definitions[number]>;
  const byType = new Map<string, SomeEventDefinition>(definitions.map((definition) => [definition.type, definition]));

  const encode = (event: Event): E.Either<InvalidEventError, { type: string; schemaVersion: number; data: JsonObject }> => {
    const definition = byType.get(event.type);
    if (definition === undefined) return E.left(new InvalidEventError(event.type, ['is not a known event type']));
    const encoded: unknown = definition.codec.encode(event.data);
    const checked = definition.codec.decode(encoded);
    if (E.isLeft(checked)) {
      return E.left(
        new InvalidEventError(
          event.type,
          fieldErrors(checked.left).map(({ path, message }) => `${path || 'data'}: ${message}`),
        ),
      );
    }
    // Decoding the encoded form succeeded, so it is the codec's output type: a JSON object.
    return E.right({ type: event.type, schemaVersion: definition.schemaVersion, data: encoded as JsonObject });
  };

  // A stored event never changes, and one read of the log serves every live subscriber of a process
  // (the PostgreSQL store's shared reads): remembered, a rating that the ratings, trending and
  // co-watch projectors all follow is decoded once rather than three times.
  const decoded = new WeakMap<StoredEvent, E.Either<UndecodableEventError, RecordedEvent<Event>>>();
  const decode = (stored: StoredEvent): E.Either<UndecodableEventError, RecordedEvent<Event>> => {
    const known = decoded.get(stored);
    if (known !== undefined) return known;
    const result = decodeAfresh(stored);
    decoded.set(stored, result);
    return result;
  };

  const decodeAfresh = (stored: StoredEvent): E.Either<UndecodableEventError, RecordedEvent<Event>> => {
    const definition = byType.get(stored.type);
    const fail = (problem: string) => E.left(new UndecodableEventError(stored.eventId, stored.type, [problem]));
    if (definition === undefined) return fail('it is not a known event type');
    if (stored.schemaVersion > definition.schemaVersion) {
      return fail(`it was stored at version ${stored.schemaVersion}, newer than this build knows (${definition.schemaVersion})`);
    }
    let data: JsonRecord = stored.data;
    for (let version = stored.schemaVersion; version < definition.schemaVersion; version++) {
      const upcast = definition.upcasters[version];
      if (upcast === undefined) return fail(`no upcaster from version ${version}`);
      data = upcast(data);
    }
    const validation: t.Validation<unknown> = definition.codec.decode(data);
    if (E.isLeft(validation)) {
      return E.left(
        new UndecodableEventError(
          stored.eventId,
          stored.type,
          fieldErrors(validation.left).map(({ path, message }) => `${path}: ${message}`),
        ),
      );
    }
    // Field by field rather than by rest and spread, which cost twice as much on every event a
    // projector reads. `type` and `data` belong together by construction (the definition was looked
    // up by type), which the compiler cannot follow through the union.
    const recorded: RecordedEvent<{ readonly type: string; readonly data: unknown }> = {
      eventId: stored.eventId,
      type: stored.type,
      data: validation.right,
      metadata: stored.metadata,
      streamName: stored.streamName,
      revision: stored.revision,
      position: stored.position,
      hash: stored.hash,
      recordedAt: stored.recordedAt,
      storedSchemaVersion: stored.schemaVersion,
    };
    return E.right(recorded as RecordedEvent<Event>);
  };

  return { types: definitions.map((definition) => definition.type), encode, decode };
};
