import { Readable } from 'node:stream';

// `COPY … TO STDOUT` read as the bytes of its rows: what `audit export` streams into its file.
// pg-copy-streams' `to` does the same job and takes the connection over the same way (pg's hook for
// a query object, `submit(connection)`), but moves every message through a buffer list, byte reads
// and a concatenation (at one CopyData message per row, 1.8 s of client CPU for 1,124,823 events),
// reads the socket with read(), which concatenates whatever waits (a copy of every byte), and hands
// on each read as it came. Here each read of the socket is walked once, its rows copied past their
// five-byte headers into a buffer that goes to the reader when full.
//
// What is not a row is handed back to pg, as pg-copy-streams does: an ErrorResponse (pg then fails
// the query with PostgreSQL's error), and everything after CopyDone (CommandComplete,
// ReadyForQuery), so that the connection goes on as usual.

const message = {
  copyData: 0x64, // 'd'
  copyOutResponse: 0x48, // 'H'
  errorResponse: 0x45, // 'E'
  noticeResponse: 0x4e, // 'N'
  parameterStatus: 0x53, // 'S'
  notificationResponse: 0x41, // 'A'
} as const;

/**
 * Messages PostgreSQL may send in the middle of a copy-out (protocol-flow.html#PROTOCOL-COPY). Any
 * other ends it: CopyDone ('c') as a rule, and whatever follows is pg's again.
 */
const interspersed: ReadonlySet<number> = new Set([
  message.copyData,
  message.copyOutResponse,
  message.noticeResponse,
  message.parameterStatus,
  message.notificationResponse,
]);

const headerLength = 5;

/**
 * The reader is given the rows a MiB at a time. PostgreSQL's rows come in reads of some 15 KiB
 * (82,217 of them for a 1.25 GB export): passed on one by one, each was a hash update, an await and
 * a write of the file through libuv's thread pool, and those writes' hand-offs took more of the
 * machine than the reading (7 s of system time in a 20 s export).
 */
const gatheredLength = 1 << 20;

/** The part of pg's Connection this reads: the socket, and pg's own listener on it. */
interface Connection {
  readonly stream: Readable;
  query(text: string): void;
}

type DataListener = (chunk: Buffer) => void;

class CopyOutQuery extends Readable {
  private connection: Connection | undefined;
  private pgListener: DataListener | undefined;
  /** Each read of the socket as it comes (`readable` and read() would concatenate what waits: a copy of every byte). */
  private readonly onData = (chunk: Buffer): void => {
    if (!this.parse(chunk)) this.connection?.stream.pause();
  };
  /** A header split across two reads: its first bytes. */
  private readonly header = Buffer.alloc(headerLength);
  private headerBytes = 0;
  /** Of the message being read: its type and the bytes of it not read yet. */
  private code = 0;
  private remaining = 0;
  private inMessage = false;
  /** Rows gathered for the reader: a buffer of this many bytes at a time, not each read of the socket. */
  private gathered = Buffer.allocUnsafe(gatheredLength);
  private gatheredBytes = 0;

  constructor(private readonly text: string) {
    // Room for a gathered buffer or two before the socket is paused.
    super({ highWaterMark: 2 * gatheredLength });
  }

  /** Called by pg when the query's turn comes. */
  submit(connection: Connection): void {
    this.connection = connection;
    const listeners = connection.stream.listeners('data') as DataListener[];
    const [pgListener] = listeners;
    if (listeners.length !== 1 || pgListener === undefined)
      throw new Error(`pg's connection has ${listeners.length} data listeners, not 1`);
    this.pgListener = pgListener;
    connection.stream.removeListener('data', pgListener);
    connection.stream.on('data', this.onData);
    connection.query(this.text);
  }

  /** Our reader wants more: the socket, paused when it did not, flows again. */
  override _read(): void {
    this.connection?.stream.resume();
  }

  /** Gathers the rows `chunk` holds; false when the reader wants no more for now. */
  private parse(chunk: Buffer): boolean {
    let wanted = true;
    let at = 0;
    while (at < chunk.length) {
      if (!this.inMessage) {
        // An error goes to pg whole, from its first byte, even when its header is cut across two reads.
        if (this.headerBytes === 0 && chunk[at] === message.errorResponse) return this.handBack(chunk.subarray(at), false);
        if (this.headerBytes === 0 && at + headerLength <= chunk.length) {
          this.code = chunk[at] ?? 0;
          this.remaining = chunk.readUInt32BE(at + 1) - 4;
          at += headerLength;
        } else {
          const taken = Math.min(headerLength - this.headerBytes, chunk.length - at);
          chunk.copy(this.header, this.headerBytes, at, at + taken);
          this.headerBytes += taken;
          at += taken;
          if (this.headerBytes < headerLength) break;
          this.headerBytes = 0;
          this.code = this.header[0] ?? 0;
          this.remaining = this.header.readUInt32BE(1) - 4;
        }
        this.inMessage = true;
      }
      const taken = Math.min(this.remaining, chunk.length - at, this.gathered.length - this.gatheredBytes);
      if (this.code === message.copyData) {
        chunk.copy(this.gathered, this.gatheredBytes, at, at + taken);
        this.gatheredBytes += taken;
        if (this.gatheredBytes === this.gathered.length) wanted = this.flush() && wanted;
      }
      at += taken;
      this.remaining -= taken;
      if (this.remaining > 0) continue;
      this.inMessage = false;
      if (!interspersed.has(this.code)) return this.handBack(chunk.subarray(at), true);
    }
    return wanted;
  }

  /** Pushes the rows gathered so far, in a buffer of their own. */
  private flush(): boolean {
    if (this.gatheredBytes === 0) return true;
    const rows = this.gathered.subarray(0, this.gatheredBytes);
    this.gathered = Buffer.allocUnsafe(gatheredLength);
    this.gatheredBytes = 0;
    return this.push(rows);
  }

  /** Pushes what was gathered, gives pg back its listener and the bytes `rest`; `done`: the copy ended. */
  private handBack(rest: Buffer, done: boolean): boolean {
    const connection = this.connection;
    const pgListener = this.pgListener;
    if (connection === undefined || pgListener === undefined) return false;
    if (done) this.flush();
    this.connection = undefined;
    this.pgListener = undefined;
    connection.stream.removeListener('data', this.onData);
    connection.stream.on('data', pgListener);
    pgListener(rest);
    // Paused by us (our reader's back-pressure), pg's listener would wait for nothing.
    connection.stream.resume();
    if (done) this.push(null);
    return false;
  }

  /** pg: the copy failed (its ErrorResponse, handed back), or the connection did. */
  handleError(error: Error): void {
    this.destroy(error);
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {}
}

/**
 * The rows of `COPY (…) TO STDOUT`, a MiB at a time, run on `client`: what
 * `client.query(copyOut(text))` returns is read with `for await`. An error of the statement fails the
 * iteration with PostgreSQL's error, and leaves the client usable.
 */
export const copyOut = (text: string): CopyOutQuery => new CopyOutQuery(text);
