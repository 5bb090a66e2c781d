import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { copyOut } from '../../../src/infrastructure/postgres/copyOut.ts';

// The copy-out's messages as PostgreSQL sends them, cut into two reads at every byte: the rows reach
// the reader whole, and what is not the copy's (an error, or what follows CopyDone) reaches pg's own
// listener byte for byte, wherever the cut falls (the int spec sees the cuts a real socket happens
// to make; a header cut in two before an error is one it may never make).

const frame = (code: string, body: Buffer): Buffer => {
  const header = Buffer.alloc(5);
  header.write(code, 0, 'latin1');
  header.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
};

const copyOutResponse = frame('H', Buffer.from([0, 0, 1, 0, 0]));
const copyData = (row: string) => frame('d', Buffer.from(row));
const copyDone = frame('c', Buffer.alloc(0));
const commandComplete = frame('C', Buffer.from('COPY 2\0'));
const readyForQuery = frame('Z', Buffer.from('I'));
const errorResponse = frame('E', Buffer.from('SERROR\0C22012\0Mdivision by zero\0\0'));

/** Runs a copy-out over `reads` (the socket's reads) and returns what its reader and pg's listener got. */
const run = async (reads: readonly Buffer[]): Promise<{ rows: Buffer; handedBack: Buffer; ended: boolean }> => {
  const socket = new PassThrough();
  const handed: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => handed.push(chunk));
  const query = copyOut('COPY (…) TO STDOUT');
  const rows: Buffer[] = [];
  let ended = false;
  query.on('data', (chunk: Buffer) => rows.push(Buffer.from(chunk)));
  query.on('end', () => (ended = true));
  query.submit({ stream: socket, query: () => undefined });
  for (const read of reads) socket.write(read);
  await new Promise((resolve) => setImmediate(resolve));
  return { rows: Buffer.concat(rows), handedBack: Buffer.concat(handed), ended };
};

const cutsOf = (bytes: Buffer): Buffer[][] =>
  Array.from({ length: bytes.length - 1 }, (_, at) => [bytes.subarray(0, at + 1), bytes.subarray(at + 1)]);

describe('copyOut, message by message', () => {
  it('gives the rows to its reader and what follows CopyDone to pg, wherever a read ends', async () => {
    const after = Buffer.concat([commandComplete, readyForQuery]);
    const bytes = Buffer.concat([copyOutResponse, copyData('1,a\n'), copyData('2,bé\n'), copyDone, after]);
    for (const reads of [[bytes], ...cutsOf(bytes)]) {
      const { rows, handedBack, ended } = await run(reads);
      expect(rows.toString()).to.equal('1,a\n2,bé\n');
      expect(handedBack.equals(after), `cut at ${reads[0]?.length}`).to.equal(true);
      expect(ended).to.equal(true);
    }
  });

  it('gives pg an error whole, its header cut in two reads or not, and does not end as if the copy were done', async () => {
    const error = Buffer.concat([errorResponse, readyForQuery]);
    const bytes = Buffer.concat([copyOutResponse, copyData('1,a\n'), error]);
    for (const reads of [[bytes], ...cutsOf(bytes)]) {
      const { handedBack, ended } = await run(reads);
      expect(handedBack.equals(error), `cut at ${reads[0]?.length}`).to.equal(true);
      expect(ended).to.equal(false);
    }
  });
});
