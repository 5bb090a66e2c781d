import * as E from 'fp-ts/lib/Either.js';
import type { EventToAppend, ExpectedRevision, StreamName } from './eventStore.ts';
import { InvalidEventError } from './errors.ts';
import { parseStreamName } from './streamName.ts';

// What every adapter checks before writing anything, so that they accept and refuse the same appends.

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const eventType = /^[A-Za-z][A-Za-z0-9_.]{0,99}$/;

export interface CheckedAppend {
  readonly stream: StreamName;
  /** Ids in lower case, as stored and hashed. */
  readonly events: readonly EventToAppend[];
  readonly expectedRevision: ExpectedRevision;
}

/** Throws InvalidStreamNameError or InvalidEventError; nothing is written when it does. */
export const checkAppend = (
  stream: string,
  events: readonly EventToAppend[],
  expectedRevision: ExpectedRevision = 'any',
): CheckedAppend => {
  const name = parseStreamName(stream);
  if (E.isLeft(name)) throw name.left;
  if (typeof expectedRevision === 'bigint' && expectedRevision < 0n) {
    throw new InvalidEventError('append', [`expected revision ${expectedRevision} is negative`]);
  }
  const seen = new Set<string>();
  const normalised = events.map((event) => {
    const eventId = typeof event.eventId === 'string' ? event.eventId.toLowerCase() : '';
    const problems = problemsOf(event, eventId);
    if (seen.has(eventId)) problems.push(`eventId ${eventId} appears twice in one append`);
    seen.add(eventId);
    if (problems.length > 0) throw new InvalidEventError(String(event.type), problems);
    return eventId === event.eventId ? event : { ...event, eventId };
  });
  return { stream: name.right, events: normalised, expectedRevision };
};

const metadataKeys = new Set(['occurredAt', 'actorId', 'correlationId', 'causationId', 'bulk']);

const problemsOf = (event: EventToAppend, eventId: string): string[] => {
  const problems: string[] = [];
  if (!uuid.test(eventId)) problems.push('eventId must be a UUID');
  if (typeof event.type !== 'string' || !eventType.test(event.type))
    problems.push('type must be a letter then up to 99 letters, digits, _ or .');
  if (!Number.isInteger(event.schemaVersion) || event.schemaVersion < 1) problems.push('schemaVersion must be a whole number from 1');
  if (!isJsonObject(event.data)) problems.push('data must be a JSON object (no undefined, functions, NaN or Infinity)');
  const metadata: unknown = event.metadata;
  if (!isRecord(metadata)) {
    problems.push('metadata is missing');
    return problems;
  }
  if (typeof metadata.occurredAt !== 'string' || Number.isNaN(Date.parse(metadata.occurredAt))) {
    problems.push('metadata.occurredAt must be an ISO 8601 time');
  }
  if (typeof metadata.correlationId !== 'string' || metadata.correlationId === '') problems.push('metadata.correlationId is required');
  if (!(metadata.actorId === null || typeof metadata.actorId === 'string')) problems.push('metadata.actorId must be a string or null');
  if (!(metadata.causationId === null || typeof metadata.causationId === 'string')) {
    problems.push('metadata.causationId must be a string or null');
  }
  // Absent, not undefined: an undefined key would hash differently from how it reads back.
  if ('bulk' in metadata && typeof metadata.bulk !== 'boolean') problems.push('metadata.bulk must be a boolean when present');
  const keys = Object.keys(metadata);
  if (keys.some((key) => !metadataKeys.has(key))) {
    problems.push(`metadata has unknown fields: ${keys.filter((key) => !metadataKeys.has(key)).join(', ')}`);
  }
  return problems;
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isJsonObject = (value: unknown): boolean => isRecord(value) && isPlain(value) && Object.values(value).every(isJson);

/** A Date or a class instance would not read back as itself. */
const isPlain = (value: object): boolean => {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

const isJson = (value: unknown): boolean => {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      return value === null || (Array.isArray(value) ? value.every(isJson) : isJsonObject(value));
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      return false;
  }
};
