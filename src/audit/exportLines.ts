import type { Manifest, ManifestStream } from './exportFormat.ts';

// Decoders of an export's lines: a parsed JSON value to an event or the manifest, or a sentence
// naming what is wrong. Hand-written: they run on every line of a file of a million.

export interface ExportedEvent {
  readonly position: bigint;
  readonly streamId: string;
  readonly revision: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly hash: Buffer;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const decimal = (value: unknown): value is string => typeof value === 'string' && /^-?\d{1,19}$/.test(value);
const sha256Hex = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);

export const exportedEvent = (value: unknown): ExportedEvent | string => {
  if (!isRecord(value)) return 'not an event line (a JSON object was expected)';
  if ('manifest' in value) return 'a manifest before the end of the file: lines were added after it, or the file was joined';
  const { position, streamId, revision, eventId, type, schemaVersion, data, metadata, hash } = value;
  if (!decimal(position)) return 'not an event line: no position';
  if (typeof streamId !== 'string') return 'not an event line: no streamId';
  if (!decimal(revision)) return 'not an event line: no revision';
  if (typeof eventId !== 'string' || typeof type !== 'string') return 'not an event line: no eventId or type';
  if (typeof schemaVersion !== 'number' || !Number.isInteger(schemaVersion)) return 'not an event line: no schemaVersion';
  if (!isRecord(data) || !isRecord(metadata)) return 'not an event line: data and metadata must be objects';
  if (!sha256Hex(hash)) return 'not an event line: no hash';
  return {
    position: BigInt(position),
    streamId,
    revision: BigInt(revision),
    eventId,
    type,
    schemaVersion,
    data,
    metadata,
    hash: Buffer.from(hash, 'hex'),
  };
};

const manifestStream = (value: unknown): value is ManifestStream =>
  isRecord(value) &&
  decimal(value.fromRevision) &&
  sha256Hex(value.previousHash) &&
  decimal(value.headRevision) &&
  sha256Hex(value.headHash);

export interface ManifestLine {
  readonly manifest: Manifest;
  /** The manifest as the file has it, which its SHA-256 was taken of. */
  readonly written: unknown;
  readonly manifestSha256: string;
}

export const manifestOf = (value: unknown): ManifestLine | string => {
  if (!isRecord(value) || !isRecord(value.manifest)) return 'the last line is not a manifest: the file was cut short';
  const { manifest, manifestSha256 } = value;
  const { format, exportedAt, count, firstPosition, lastPosition, streams, bodySha256 } = manifest;
  if (typeof format !== 'string' || typeof exportedAt !== 'string' || typeof count !== 'number')
    return 'the manifest lacks format, exportedAt or count';
  if (!(firstPosition === null || decimal(firstPosition)) || !(lastPosition === null || decimal(lastPosition))) {
    return 'the manifest lacks firstPosition or lastPosition';
  }
  if (!isRecord(streams) || !Object.values(streams).every(manifestStream))
    return 'the manifest lists a stream without its revisions and hashes';
  if (!sha256Hex(bodySha256) || !sha256Hex(manifestSha256)) return 'the manifest lacks bodySha256 or manifestSha256';
  return {
    manifest: {
      format,
      exportedAt,
      count,
      firstPosition,
      lastPosition,
      streams: Object.fromEntries(Object.entries(streams).filter((entry): entry is [string, ManifestStream] => manifestStream(entry[1]))),
      bodySha256,
    },
    written: manifest,
    manifestSha256,
  };
};
