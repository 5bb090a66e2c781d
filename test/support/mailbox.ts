import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

// The mail the service wrote as files (its default without SMTP_URL), read the way a person would.

const messages = async (directory: string): Promise<string[]> =>
  Promise.all(
    (await readdir(directory).catch(() => [] as string[])).map(async (file) =>
      // Quoted-printable wraps long lines with a trailing `=`; a token is all on one logical line.
      (await readFile(join(directory, file), 'utf8')).replace(/=\r?\n/g, ''),
    ),
  );

const poll = async <T>(find: () => Promise<T | undefined>, what: string): Promise<T> => {
  for (let tries = 0; tries < 500; tries++) {
    const found = await find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no ${what}`);
};

/** The password-reset token mailed to `to` (under the service's data folder), waiting a little for it. */
export const mailedResetToken = async (dataDir: string, to: string): Promise<string> =>
  poll(async () => {
    for (const message of await messages(join(dataDir, 'mail'))) {
      const token = /reset token, valid for one hour: (\S+)/.exec(message)?.[1];
      if (message.includes(`To: ${to}`) && token !== undefined) return token;
    }
    return undefined;
  }, `reset e-mail to ${to}`);

/** The recipients of the mails written so far that `wanted` picks, waiting a little for the first. */
export const mailRecipients = async (dataDir: string, wanted: (to: string) => boolean): Promise<string[]> =>
  poll(async () => {
    const found = (await messages(join(dataDir, 'mail')))
      .map((message) => /^To: (.*)$/m.exec(message)?.[1]?.trim())
      .filter((to): to is string => to !== undefined && wanted(to));
    return found.length > 0 ? found : undefined;
  }, 'mail to the address wanted');
