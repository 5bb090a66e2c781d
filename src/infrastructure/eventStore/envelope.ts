import { createHash } from 'node:crypto';
import * as canonicalizeModule from 'canonicalize';
import type { EventToAppend, StoredEvent, StreamName } from './eventStore.ts';

// The hash chain auditors verify. For the n-th event of a stream:
//
//     digest(n) = SHA-256(canonical JSON of { streamName, eventId, type, schemaVersion, data, metadata })
//     hash(n)   = SHA-256(hash(n-1) || digest(n)),   hash(-1) = 32 zero bytes
//
// Canonical JSON is RFC 8785 (sorted keys, minimal escapes, shortest numbers), so any implementation
// can recompute it. Changing any stored byte of any event breaks every later hash of its stream.

// The package is CommonJS typed as if it had an ES default export; at run time the namespace's
// `default` is the function itself.
const canonicalize = canonicalizeModule.default as unknown as (value: unknown) => string | undefined;

export const genesisHash = Buffer.alloc(32);

export const canonicalJson = (value: unknown): string => {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
};

/** The event's data and metadata as canonical JSON (what is stored) and its digest. */
export interface EncodedEvent {
  readonly dataJson: string;
  readonly metadataJson: string;
  readonly digest: Buffer;
}

export const encodeEvent = (stream: StreamName, event: EventToAppend): EncodedEvent => {
  const dataJson = canonicalJson(event.data);
  const metadataJson = canonicalJson(event.metadata);
  // The envelope's canonical form, assembled from its parts so the (possibly large) data is
  // serialised once: RFC 8785 orders keys by code unit, which is the order written here.
  const envelope =
    `{"data":${dataJson},"eventId":${canonicalJson(event.eventId)},"metadata":${metadataJson},` +
    `"schemaVersion":${canonicalJson(event.schemaVersion)},"streamName":${canonicalJson(stream)},"type":${canonicalJson(event.type)}}`;
  return { dataJson, metadataJson, digest: sha256(envelope) };
};

export const eventDigest = (stream: StreamName, event: EventToAppend): Buffer => encodeEvent(stream, event).digest;

export const chainHash = (previous: Buffer, digest: Buffer): Buffer => sha256(Buffer.concat([previous, digest]));

const sha256 = (input: string | Buffer): Buffer => createHash('sha256').update(input).digest();

/** Recomputes a stream's chain; the revision of the first event whose hash does not match, if any. */
export const firstBrokenLink = (events: readonly StoredEvent[], previousHash: Buffer = genesisHash): bigint | undefined => {
  let hash = previousHash;
  for (const event of events) {
    hash = chainHash(hash, eventDigest(event.streamName, event));
    if (hash.toString('hex') !== event.hash) return event.revision;
  }
  return undefined;
};
