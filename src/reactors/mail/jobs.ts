import type pg from 'pg';
import { defineJob, type JobDefinition, type SomeJobDefinition } from '../../infrastructure/jobs/index.ts';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import type { Mailer } from '../../infrastructure/mail/mailer.ts';
import type { ResetOutbox } from '../../infrastructure/mail/resetOutbox.ts';
import { inTransaction } from '../../infrastructure/postgres/transaction.ts';
import { delivered, messageIdFor, recordDelivery } from './deliveries.ts';
import { passwordResetMail, welcomeMail } from './templates.ts';
import type { RecipientOf } from './recipients.ts';

// The mail jobs the mail reactor enqueues, each keyed by the event that asked for it. A job looks
// for its delivery first, sends, then records the delivery: a retry after a failed send sends once,
// a run after a recorded delivery sends nothing. Only a crash between a mail server's "250 OK" and
// the record sends one twice (the same Message-ID both times).

export const welcomeMailJobName = 'welcome-mail';
/** A mail job mostly waits, on the mail server and the database: more of them at once than Agenda's default five. */
const mailJobOptions = { concurrency: 20 };
export const passwordResetMailJobName = 'password-reset-mail';

/** Only the account's id: the address is read when the mail is sent (recipients.ts). Jobs enqueued before also carry `email` and `displayName`, now unread. */
export interface WelcomeMailData {
  readonly userId: string;
}

export interface PasswordResetMailData {
  readonly userId: string;
  readonly tokenHash: string;
}

export interface MailJobDependencies {
  readonly pool: pg.Pool;
  readonly log: Logger;
  readonly mailer: Mailer;
  /** Where reset tokens wait for their mail; undefined without the service's secret (then reset mails fail, visibly). */
  readonly resetOutbox: ResetOutbox | undefined;
  /** The address and name a welcome goes to, unless the account was forgotten. */
  readonly recipientOf: RecipientOf;
  readonly now?: () => Date;
}

export const mailJobs = (dependencies: MailJobDependencies): SomeJobDefinition[] => [
  welcomeMailJob(dependencies),
  passwordResetMailJob(dependencies),
];

export const welcomeMailJob = ({ pool, log, mailer, recipientOf }: MailJobDependencies): JobDefinition<WelcomeMailData> =>
  defineJob<WelcomeMailData>(
    welcomeMailJobName,
    async (data, { key: eventId }) => {
      if (await delivered(pool, eventId)) return;
      const recipient = await recipientOf(data.userId);
      if (recipient === undefined) {
        log.info({ userId: data.userId, eventId }, 'no welcome sent: the account is unknown or forgotten');
        return;
      }
      await mailer.send({
        to: { name: recipient.displayName, address: recipient.email },
        ...welcomeMail({ displayName: recipient.displayName }),
        messageId: messageIdFor(eventId),
      });
      await recordDelivery(pool, eventId, 'welcome');
    },
    mailJobOptions,
  );

export const passwordResetMailJob = ({
  pool,
  log,
  mailer,
  resetOutbox,
  now = () => new Date(),
}: MailJobDependencies): JobDefinition<PasswordResetMailData> =>
  defineJob<PasswordResetMailData>(
    passwordResetMailJobName,
    async (data, { key: eventId }) => {
      if (await delivered(pool, eventId)) return;
      if (resetOutbox === undefined) throw new Error('the scheduler has no secret to open reset tokens with');
      const pending = await resetOutbox.find(data.tokenHash);
      if (pending === undefined || pending.expiresAt <= now()) {
        // Expired (the token is refused by now anyway), or sealed under a secret since changed: a mail
        // would be of no use. The person asks again.
        log.warn({ userId: data.userId, eventId }, 'no reset token to mail (expired, or sealed under another secret); nothing sent');
        await resetOutbox.remove(data.tokenHash);
        return;
      }
      await mailer.send({
        to: pending.to,
        ...passwordResetMail({ token: pending.token, expiresAt: pending.expiresAt }),
        messageId: messageIdFor(eventId),
      });
      await inTransaction(pool, async (client) => {
        await recordDelivery(client, eventId, 'password-reset');
        await resetOutbox.remove(data.tokenHash, client);
      });
    },
    mailJobOptions,
  );
