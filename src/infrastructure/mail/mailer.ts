import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

export interface Mail {
  /** An address, or an address with the person's name (nodemailer encodes the name for the header). */
  readonly to: string | { readonly name: string; readonly address: string };
  readonly subject: string;
  readonly text: string;
  /** The same message as HTML: every value a user supplied in it escaped (templates.ts). */
  readonly html?: string;
  /** `<…@…>`: the same id on a message sent twice lets a mail client show it once. */
  readonly messageId?: string;
}

/** Sends e-mail: over SMTP when SMTP_URL is set, otherwise into .eml files under `<dataDir>/mail`. */
export interface Mailer {
  readonly send: (mail: Mail) => Promise<void>;
  readonly close: () => void;
}

const from = 'FastFlix <no-reply@fastflix.local>';

/**
 * Pooled: a few connections kept open and reused, rather than a handshake per message (at twenty
 * registrations a second, most of a mail's time). A server that is down or hangs fails the send
 * within seconds, and the job that sent it retries later.
 */
export const createSmtpMailer = (url: URL): Mailer => {
  const transport = nodemailer.createTransport({
    url: url.href,
    pool: true,
    maxConnections: 5,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    send: async (mail) => {
      await transport.sendMail({ from, ...mail });
    },
    close: () => transport.close(),
  };
};

/** The development default: each message a file, readable in any mail client, nothing sent anywhere. */
export const createFileMailer = (directory: string): Mailer => {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    send: async (mail) => {
      const info = await transport.sendMail({ from, ...mail });
      await mkdir(directory, { recursive: true });
      const message: unknown = info.message;
      if (!Buffer.isBuffer(message)) throw new Error('the mail transport did not render the message');
      await writeFile(join(directory, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`), message);
    },
    close: () => undefined,
  };
};
