import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Sends e-mail: over SMTP when SMTP_URL is set, otherwise into .eml files under `<dataDir>/mail`. */
export interface Mailer {
  readonly send: (mail: Mail) => Promise<void>;
}

const from = 'FastFlix <no-reply@fastflix.local>';

export const createSmtpMailer = (url: URL): Mailer => {
  const transport = nodemailer.createTransport(url.href);
  return {
    send: async (mail) => {
      await transport.sendMail({ from, ...mail });
    },
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
  };
};
