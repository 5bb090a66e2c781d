import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { canonicalJson } from '../infrastructure/eventStore/envelope.ts';
import { chainHash, digestOf } from './chainRow.ts';
import { exportFormat, manifestDigest, type Manifest } from './exportFormat.ts';
import { exportedEvent, manifestOf, type ManifestLine } from './exportLines.ts';

// `audit verify-export <file>`: checks an export with no database. Every chain is recomputed line by
// line; the first event of each stream is checked against the hash the manifest says precedes it
// (the manifest comes last, so those wait for it); then the manifest against the body: count, first
// and last position, each stream's head, the SHA-256 of every byte before it, and its own SHA-256.
// The first problem found, with its line, is the answer.

export type ExportCheck =
  | { readonly ok: true; readonly count: number; readonly streams: number; readonly manifest: Manifest }
  | { readonly ok: false; readonly line: number | null; readonly problem: string };

interface StreamSeen {
  readonly firstRevision: bigint;
  readonly firstDigest: Buffer;
  readonly firstHash: Buffer;
  readonly firstLine: number;
  lastRevision: bigint;
  lastHash: Buffer;
}

class ExportProblem extends Error {
  constructor(
    readonly line: number | null,
    problem: string,
  ) {
    super(problem);
  }
}

export const verifyExport = async (path: string): Promise<ExportCheck> => {
  const body = createHash('sha256');
  const streams = new Map<string, StreamSeen>();
  let count = 0;
  let first: bigint | null = null;
  let lastPosition: bigint | null = null;
  let pending: { readonly text: string; readonly line: number } | undefined;

  const checkEvent = (text: string, line: number): void => {
    const event = parse(text, line, exportedEvent);
    if (lastPosition !== null && event.position <= lastPosition) {
      throw new ExportProblem(line, `position ${event.position} does not come after ${lastPosition}: the lines were reordered`);
    }
    const digest = digestOf({ ...event, dataJson: canonicalJson(event.data), metadataJson: canonicalJson(event.metadata) });
    const seen = streams.get(event.streamId);
    if (seen === undefined) {
      streams.set(event.streamId, {
        firstRevision: event.revision,
        firstDigest: digest,
        firstHash: event.hash,
        firstLine: line,
        lastRevision: event.revision,
        lastHash: event.hash,
      });
    } else {
      if (event.revision !== seen.lastRevision + 1n) {
        throw new ExportProblem(
          line,
          `${event.streamId} goes from revision ${seen.lastRevision} to ${event.revision}: an event was deleted, inserted or moved`,
        );
      }
      if (!chainHash(seen.lastHash, digest).equals(event.hash)) {
        throw new ExportProblem(line, `${event.streamId} revision ${event.revision}: the event does not match its hash (edited)`);
      }
      seen.lastRevision = event.revision;
      seen.lastHash = event.hash;
    }
    first ??= event.position;
    lastPosition = event.position;
    count++;
  };

  try {
    const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    let number = 0;
    for await (const text of lines) {
      number++;
      if (pending !== undefined) {
        checkEvent(pending.text, pending.line);
        body.update(`${pending.text}\n`);
      }
      pending = { text, line: number };
    }
    if (pending === undefined) throw new ExportProblem(null, 'the file is empty: no manifest');
    const manifest = parse(pending.text, pending.line, manifestOf);
    checkManifest(manifest, pending.line, { count, first, last: lastPosition, streams, bodySha256: body.digest('hex') });
    return { ok: true, count, streams: streams.size, manifest: manifest.manifest };
  } catch (error) {
    if (error instanceof ExportProblem) return { ok: false, line: error.line, problem: error.message };
    if (error instanceof Error && 'code' in error && typeof error.code === 'string')
      return { ok: false, line: null, problem: error.message };
    throw error;
  }
};

const parse = <T>(text: string, line: number, decode: (value: unknown) => T | string): T => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ExportProblem(line, 'not JSON (the file was cut or edited)');
  }
  const decoded = decode(value);
  if (typeof decoded === 'string') throw new ExportProblem(line, decoded);
  return decoded;
};

const checkManifest = (
  { manifest, written, manifestSha256 }: ManifestLine,
  line: number,
  body: {
    readonly count: number;
    readonly first: bigint | null;
    readonly last: bigint | null;
    readonly streams: ReadonlyMap<string, StreamSeen>;
    readonly bodySha256: string;
  },
): void => {
  const fail = (problem: string): never => {
    throw new ExportProblem(line, problem);
  };
  if (manifestDigest(written) !== manifestSha256) fail('the manifest does not match its own SHA-256 (edited)');
  if (manifest.format !== exportFormat) fail(`the format is ${manifest.format}, not ${exportFormat}`);
  if (manifest.count !== body.count) fail(`the manifest counts ${manifest.count} events, the file holds ${body.count}`);
  if (manifest.firstPosition !== (body.first?.toString() ?? null) || manifest.lastPosition !== (body.last?.toString() ?? null)) {
    fail(`the manifest says positions ${manifest.firstPosition}–${manifest.lastPosition}, the file holds ${body.first}–${body.last}`);
  }
  const listed = Object.keys(manifest.streams);
  if (listed.length !== body.streams.size) fail(`the manifest lists ${listed.length} streams, the file holds ${body.streams.size}`);
  for (const [id, seen] of body.streams) {
    const stream = Object.hasOwn(manifest.streams, id) ? manifest.streams[id] : undefined;
    if (stream === undefined) throw new ExportProblem(seen.firstLine, `${id} is not in the manifest`);
    if (stream.fromRevision !== seen.firstRevision.toString()) {
      throw new ExportProblem(
        seen.firstLine,
        `${id} starts at revision ${seen.firstRevision}, the manifest says ${stream.fromRevision}: events were deleted`,
      );
    }
    if (!chainHash(Buffer.from(stream.previousHash, 'hex'), seen.firstDigest).equals(seen.firstHash)) {
      throw new ExportProblem(seen.firstLine, `${id} revision ${seen.firstRevision}: the event does not match its hash (edited)`);
    }
    if (stream.headRevision !== seen.lastRevision.toString() || stream.headHash !== seen.lastHash.toString('hex')) {
      fail(
        `${id} ends at revision ${seen.lastRevision} (${seen.lastHash.toString('hex')}), the manifest says ${stream.headRevision} (${stream.headHash})`,
      );
    }
  }
  if (manifest.bodySha256 !== body.bodySha256) fail(`the body's SHA-256 is ${body.bodySha256}, the manifest says ${manifest.bodySha256}`);
};
