import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { expect } from 'chai';
import pg from 'pg';
import { readChainRows } from '../../src/audit/chainRow.ts';
import { eventLine, manifestLine, type Manifest } from '../../src/audit/exportFormat.ts';
import { exportLog } from '../../src/audit/exportLog.ts';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { verifyExport, type ExportCheck } from '../../src/audit/verifyExport.ts';
import { openPostgresEventStore, type TestEventStore } from '../infrastructure/eventStore/postgresTestStore.ts';
import { appendActivity } from '../projections/support/activityLog.ts';
import { appendAccountHistory, appendViewing, event } from './support/auditLog.ts';

// `audit export` then `audit verify-export`, offline: the file as written verifies; any edit,
// deletion, insertion or reordering of its lines, a cut file and an edited manifest each fail, and
// the line at fault is named.

describe('audit export and verify-export', function () {
  this.timeout(60_000);
  let opened: TestEventStore;
  let folder: string;
  let lines: string[];
  let viewing: string;

  const write = async (name: string, options: { fromPosition?: bigint; toPosition?: bigint } = {}): Promise<string> => {
    const path = join(folder, name);
    const out = createWriteStream(path);
    await exportLog(opened.pool, out, { ...options, exportedAt: new Date('2026-12-04T17:00:00Z') });
    out.end();
    await finished(out);
    return path;
  };
  const check = async (edited: readonly string[]): Promise<ExportCheck> => {
    const path = join(folder, 'edited.jsonl');
    await writeFile(path, edited.join('\n'));
    return verifyExport(path);
  };
  const failsAt = async (edited: readonly string[], line: number | null, problem: RegExp): Promise<void> => {
    const result = await check(edited);
    expect(result).to.deep.include({ ok: false, line });
    expect(result.ok === false && result.problem).to.match(problem);
  };
  /** The index (0-based) of the line of an event of `stream` at `revision`. */
  const lineOf = (stream: string, revision: number): number =>
    lines.findIndex((line) => line.includes(`"streamId":"${stream}","revision":"${revision}"`));

  before(async () => {
    opened = await openPostgresEventStore();
    folder = await mkdtemp(join(tmpdir(), 'fastflix-export-'));
    await appendActivity(opened.store, { movies: 10, users: 5, actions: 150 });
    const account = await appendAccountHistory(opened.store, 'ada');
    viewing = await appendViewing(opened.store, account.userId);
    lines = (await readFile(await write('whole.jsonl'), 'utf8')).split('\n');
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
    await opened.close();
  });

  it('verifies the file as exported, with a manifest of count, positions, heads and the body SHA-256', async () => {
    const result = await check(lines);
    expect(result).to.deep.include({ ok: true, count: lines.length - 2 });
    const { rows } = await opened.pool.query<{ n: string; streams: string }>(
      'SELECT count(*) AS n, count(DISTINCT stream_id) AS streams FROM events',
    );
    expect(result.ok && [result.count, result.streams]).to.deep.equal([Number(rows[0]?.n), Number(rows[0]?.streams)]);
    expect(lines[lines.length - 1]).to.equal('');
    // The manifest as written from PostgreSQL's text is the one manifestLine writes from the object.
    const written = lines[lines.length - 2] ?? '';
    expect(manifestLine((JSON.parse(written) as { manifest: Manifest }).manifest)).to.equal(`${written}\n`);
  });

  it('gives the whole log the manifest a range over all of it gets (read from the heads, not grouped from the events)', async () => {
    const ranged = (await readFile(await write('ranged.jsonl', { fromPosition: 0n }), 'utf8')).split('\n');
    expect(ranged).to.deep.equal(lines);
  });

  it('exports a log changed behind the store’s back as it stands, and verify-export finds the change', async () => {
    // A copy of the log in a store of its own, so that the other specs keep theirs intact.
    const tampered = await openPostgresEventStore();
    const tamperer = new pg.Client({ connectionString: tampered.database.url.href });
    try {
      const account = await appendAccountHistory(tampered.store, 'bo');
      const stream = await appendViewing(tampered.store, account.userId);
      await tamperer.connect();
      await tamperer.query("SET session_replication_role = 'replica'");
      await tamperer.query('DELETE FROM events WHERE stream_id = $1 AND revision = 2', [stream]);
      const path = join(folder, 'tampered.jsonl');
      const out = createWriteStream(path);
      await exportLog(tampered.pool, out, { exportedAt: new Date('2026-12-04T17:00:00Z') });
      out.end();
      await finished(out);
      const result = await verifyExport(path);
      expect(result.ok).to.equal(false);
      expect(result.ok === false && result.problem).to.match(/goes from revision 1 to 3/);
    } finally {
      await tamperer.end();
      await tampered.close();
    }
  });

  it('writes each line in PostgreSQL exactly as eventLine writes it from the parsed row, whatever the JSON holds', async () => {
    const awkward = streamName('movie', 'a.b_c:d@e+f=g-h');
    await opened.store.appendToStream(awkward, [
      event('MovieAdded', { title: 'Amélie 東京物語 😀', overview: 'quote " backslash \\ tab \t nul \u0000 line\u2028', n: 1e21 }),
    ]);
    const fromSql = (await readFile(await write('awkward.jsonl'), 'utf8')).split('\n').slice(0, -2);
    const client = await opened.pool.connect();
    try {
      const fromNode: string[] = [];
      for await (const batch of readChainRows(client, { withRecordedAt: true }))
        fromNode.push(...batch.map((row) => eventLine(row).slice(0, -1)));
      expect(fromSql).to.deep.equal(fromNode);
    } finally {
      client.release();
    }
  });

  it('exports an empty range as a manifest alone, which verifies', async () => {
    const path = await write('empty.jsonl', { fromPosition: 2n ** 62n });
    const written = (await readFile(path, 'utf8')).split('\n');
    expect(written).to.have.length(2);
    expect(JSON.parse(written[0] ?? '')).to.deep.include({
      manifest: {
        ...(JSON.parse(written[0] ?? '') as { manifest: Manifest }).manifest,
        count: 0,
        firstPosition: null,
        lastPosition: null,
        streams: {},
      },
    });
    expect(await verifyExport(path)).to.include({ ok: true, count: 0 });
  });

  it('verifies a range whose streams began before it, from the hashes the manifest gives', async () => {
    const start = BigInt((JSON.parse(lines[lineOf(viewing, 2)] ?? '{}') as { position: string }).position);
    const result = await verifyExport(await write('range.jsonl', { fromPosition: start }));
    expect(result).to.include({ ok: true });
  });

  it('fails on an edited event, naming its line', async () => {
    const at = lineOf(viewing, 3);
    const edited = [...lines];
    edited[at] = edited[at]?.replace('"score":4.5', '"score":5') ?? '';
    await failsAt(edited, at + 1, /does not match its hash/);
  });

  it('fails on an edit of the first event of a stream, and on white space added to a line', async () => {
    const at = lineOf(viewing, 0);
    const edited = [...lines];
    edited[at] = edited[at]?.replace('"type":"AddedToWatchlist"', '"type":"RemovedFromWatchlist"') ?? '';
    await failsAt(edited, at + 1, /does not match its hash/);
    const spaced = [...lines];
    spaced[at] = spaced[at]?.replace('"data":{', '"data": {') ?? '';
    await failsAt(spaced, lines.length - 1, /body's SHA-256/);
  });

  it('fails on a deleted line, in the middle of a stream, at its start or at its end', async () => {
    for (const revision of [2, 0, 4]) {
      const at = lineOf(viewing, revision);
      const edited = lines.filter((_, index) => index !== at);
      const result = await check(edited);
      expect(result.ok, `deleting revision ${revision}`).to.equal(false);
    }
    const middle = lineOf(viewing, 2);
    await failsAt(
      lines.filter((_, index) => index !== middle),
      middle + 1,
      /goes from revision 1 to 3/,
    );
  });

  it('fails on an inserted line and on reordered lines', async () => {
    const at = lineOf(viewing, 2);
    const inserted = [...lines.slice(0, at + 1), lines[at] ?? '', ...lines.slice(at + 1)];
    await failsAt(inserted, at + 2, /does not come after/);
    const swapped = [...lines];
    [swapped[3], swapped[4]] = [swapped[4] ?? '', swapped[3] ?? ''];
    await failsAt(swapped, 5, /reordered/);
  });

  it('fails on a cut file, a line that is not JSON, and an edited manifest, naming the line', async () => {
    await failsAt(lines.slice(0, -2), lines.length - 2, /not a manifest/);
    const cut = [...lines.slice(0, 10), (lines[10] ?? '').slice(0, 40)];
    await failsAt(cut, 11, /not a manifest|not JSON/);
    const notJson = [...lines];
    notJson[5] = 'garbage';
    await failsAt(notJson, 6, /not JSON/);
    const manifest = [...lines];
    manifest[lines.length - 2] = manifest[lines.length - 2]?.replace('2026-12-04T17:00:00.000Z', '2026-12-05T17:00:00.000Z') ?? '';
    await failsAt(manifest, lines.length - 1, /its own SHA-256/);
    await failsAt([], null, /empty/);
  });
});
