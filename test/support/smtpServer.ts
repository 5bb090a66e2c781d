import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// A real SMTP server in the test process (the smtp-server package): it takes every message, keeps it
// as received, and can be taken down and brought back on the same port (a mail server that is down).

export interface ReceivedMail {
  readonly to: readonly string[];
  /** The raw message, soft line breaks and quoted-printable escapes undone, as a person would read it. */
  readonly message: string;
  /** When its DATA ended (epoch milliseconds, sub-millisecond precision). */
  readonly receivedAt: number;
}

export interface TestSmtpServer {
  readonly url: string;
  readonly received: ReceivedMail[];
  /** Mails to `address` received so far. */
  readonly to: (address: string) => ReceivedMail[];
  /** Waits until `count` mails to `address` arrived (at most `ms`), and returns them. */
  readonly waitFor: (address: string, count?: number, ms?: number) => Promise<ReceivedMail[]>;
  readonly down: () => Promise<void>;
  readonly up: () => Promise<void>;
  readonly close: () => Promise<void>;
}

const readable = (raw: string): string =>
  raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));

export const startSmtpServer = async (): Promise<TestSmtpServer> => {
  const received: ReceivedMail[] = [];
  const make = (): SMTPServer =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // Pooled clients keep connections open; going down should not wait for them.
      closeTimeout: 100,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push({
            receivedAt: performance.timeOrigin + performance.now(),
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            message: readable(Buffer.concat(chunks).toString('utf8')),
          });
          callback();
        });
      },
    });
  let server = make();
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
    });
  const port = await listen(0);
  const close = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  const to = (address: string): ReceivedMail[] => received.filter((mail) => mail.to.includes(address));
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    to,
    waitFor: async (address, count = 1, ms = 30_000) => {
      const deadline = Date.now() + ms;
      while (to(address).length < count) {
        if (Date.now() > deadline) throw new Error(`${to(address).length} mails to ${address} arrived, not ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return to(address);
    },
    down: close,
    up: async () => {
      server = make();
      await listen(port);
    },
    close,
  };
};
