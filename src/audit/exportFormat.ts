import { createHash } from 'node:crypto';
import { canonicalJson } from '../infrastructure/eventStore/envelope.ts';
import type { ChainRow } from './chainRow.ts';

// The export file (`audit export`, checked by `audit verify-export`): JSON Lines, one event a line in
// position order, then one manifest line. An event line carries everything its hash covers (stream,
// id, type, version, data, metadata) and the hash; the manifest says what the body should hold
// (count, first and last position, each stream's first revision with the hash before it, and its
// last revision and hash) and the SHA-256 of the body's bytes, and carries a SHA-256 of itself.
//
// Offline, a file can only prove that it is whole and consistent: someone who rewrites events and
// recomputes every hash makes a consistent file. What ties it to the log is its head hashes and body
// SHA-256, compared with `audit verify`'s database or with a copy of the manifest kept elsewhere.

export const exportFormat = 'fastflix-audit-export/1';

export interface ManifestStream {
  readonly fromRevision: string;
  /** The hash of the revision before `fromRevision` (32 zero bytes for revision 0). */
  readonly previousHash: string;
  readonly headRevision: string;
  readonly headHash: string;
}

export interface Manifest {
  readonly format: string;
  readonly exportedAt: string;
  readonly count: number;
  readonly firstPosition: string | null;
  readonly lastPosition: string | null;
  readonly streams: Readonly<Record<string, ManifestStream>>;
  readonly bodySha256: string;
}

/** The manifest line: the manifest and the SHA-256 of its canonical JSON, so that any edit of it shows. */
export const manifestLine = (manifest: Manifest): string => `${JSON.stringify({ manifest, manifestSha256: manifestDigest(manifest) })}\n`;

export const manifestDigest = (manifest: unknown): string => createHash('sha256').update(canonicalJson(manifest)).digest('hex');

/**
 * The manifest line from the manifest's canonical JSON as it is written (every key in RFC 8785 order,
 * values that need no escaping), in parts: what `manifestLine` writes, without parsing a large
 * manifest back into objects to serialise it again (a test holds the two together).
 */
export const manifestLineOf = (canonicalManifest: readonly Buffer[]): Buffer[] => {
  const digest = createHash('sha256');
  for (const part of canonicalManifest) digest.update(part);
  return [Buffer.from('{"manifest":'), ...canonicalManifest, Buffer.from(`,"manifestSha256":"${digest.digest('hex')}"}\n`)];
};

/** One event line. Data and metadata go in as the stored text, which is their canonical JSON already. */
export const eventLine = (row: ChainRow): string =>
  `{"position":"${row.position}","streamId":${JSON.stringify(row.streamId)},"revision":"${row.revision}",` +
  `"eventId":${JSON.stringify(row.eventId)},"type":${JSON.stringify(row.type)},"schemaVersion":${row.schemaVersion},` +
  `"data":${row.dataJson},"metadata":${row.metadataJson},"hash":"${row.hash.toString('hex')}","recordedAt":${JSON.stringify(row.recordedAt?.toISOString() ?? null)}}\n`;
