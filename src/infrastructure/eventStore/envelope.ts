import { hash } from 'node:crypto';
import type { EventMetadata, EventToAppend, StoredEvent, StreamName } from './eventStore.ts';

// The hash chain auditors verify. For the n-th event of a stream:
//
//     digest(n) = SHA-256(canonical JSON of { streamName, eventId, type, schemaVersion, data, metadata })
//     hash(n)   = SHA-256(hash(n-1) || digest(n)),   hash(-1) = 32 zero bytes
//
// Canonical JSON is RFC 8785 (sorted keys, minimal escapes, shortest numbers), so any implementation
// can recompute it. Changing any stored byte of any event breaks every later hash of its stream.

export const genesisHash = Buffer.alloc(32);

/**
 * RFC 8785 canonical JSON: keys sorted by UTF-16 code unit, no white space, primitives as
 * JSON.stringify writes them (which for numbers is the ECMAScript form RFC 8785 prescribes). Written
 * here rather than taken from the `canonicalize` package because it runs on every appended event; a
 * unit test holds it to that package's output.
 *
 * Most values are built with their keys in order already (decoded events, codecs' outputs), and for
 * those the canonical form is exactly what the native JSON.stringify writes: checking the order is a
 * walk without building strings, several times cheaper than assembling the text piece by piece.
 */
export const canonicalJson = (value: unknown): string => (inCanonicalOrder(value) ? nativeJson(value) : assembledJson(value));

const nativeJson = (value: unknown): string => {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${typeof value} has no JSON form`);
  return text;
};

/**
 * Whether JSON.stringify would write `value` canonically: every object's own keys already sorted, and
 * nothing it would treat differently from `assembledJson` (toJSON, boxed values and class instances,
 * functions and symbols, which the assembler refuses).
 */
const inCanonicalOrder = (value: unknown): boolean => {
  if (typeof value === 'function' || typeof value === 'symbol') return false;
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!inCanonicalOrder(item)) return false;
    return true;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const keys = Object.keys(value);
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as string;
    if (index > 0 && (keys[index - 1] as string) >= key) return false;
    if (!inCanonicalOrder((value as Record<string, unknown>)[key])) return false;
  }
  return true;
};

const assembledJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return nativeJson(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++) text += (index === 0 ? '' : ',') + canonicalJson(value[index] ?? null);
    return `${text}]`;
  }
  let text = '{';
  let first = true;
  for (const key of Object.keys(value).sort()) {
    const member: unknown = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    text += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(member)}`;
    first = false;
  }
  return `${text}}`;
};

/**
 * Metadata has these four keys and an optional `bulk` (checkAppend), already in canonical order here.
 * `bulk` is written only when present, so events without it hash as they did before it existed.
 */
const canonicalMetadata = (metadata: EventMetadata): string =>
  `{"actorId":${JSON.stringify(metadata.actorId)},${metadata.bulk === undefined ? '' : `"bulk":${JSON.stringify(metadata.bulk)},`}` +
  `"causationId":${JSON.stringify(metadata.causationId)},` +
  `"correlationId":${JSON.stringify(metadata.correlationId)},"occurredAt":${JSON.stringify(metadata.occurredAt)}}`;

/** The event's data and metadata as canonical JSON (what is stored) and its digest. */
export interface EncodedEvent {
  readonly dataJson: string;
  readonly metadataJson: string;
  readonly digest: Buffer;
}

export const encodeEvent = (stream: StreamName, event: EventToAppend): EncodedEvent => {
  const dataJson = canonicalJson(event.data);
  const metadataJson = canonicalMetadata(event.metadata);
  // The envelope's canonical form, assembled from its parts so the (possibly large) data is
  // serialised once: RFC 8785 orders keys by code unit, which is the order written here.
  const envelope =
    `{"data":${dataJson},"eventId":${canonicalJson(event.eventId)},"metadata":${metadataJson},` +
    `"schemaVersion":${canonicalJson(event.schemaVersion)},"streamName":${canonicalJson(stream)},"type":${canonicalJson(event.type)}}`;
  return { dataJson, metadataJson, digest: sha256(envelope) };
};

export const eventDigest = (stream: StreamName, event: EventToAppend): Buffer => encodeEvent(stream, event).digest;

export const chainHash = (previous: Buffer, digest: Buffer): Buffer => sha256(Buffer.concat([previous, digest]));

const sha256 = (input: string | Buffer): Buffer => hash('sha256', input, 'buffer');

/** Recomputes a stream's chain; the revision of the first event whose hash does not match, if any. */
export const firstBrokenLink = (events: readonly StoredEvent[], previousHash: Buffer = genesisHash): bigint | undefined => {
  let hash = previousHash;
  for (const event of events) {
    hash = chainHash(hash, eventDigest(event.streamName, event));
    if (hash.toString('hex') !== event.hash) return event.revision;
  }
  return undefined;
};
