import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type pg from 'pg';

// Reset tokens on their way to the mailbox (table password_reset_outbox). The request that makes a
// token leaves it here, sealed, before its event is appended; the mail job that the event causes
// opens it, sends it and removes it. A crash anywhere between loses nothing: the event, once
// committed, causes the job, and the job finds the token.

export interface PendingReset {
  readonly tokenHash: string;
  readonly userId: string;
  /** The account's address, as the account has it. */
  readonly to: string;
  /** What the mail carries: `<userId>.<secret>`. */
  readonly token: string;
  readonly expiresAt: Date;
}

export interface ResetOutbox {
  /** Leaves the token for its mail; again for the same hash replaces it (a command retried on a conflict). */
  readonly keep: (reset: PendingReset) => Promise<void>;
  /** The token waiting under this hash, unless it was sent, expired or sealed under another secret. */
  readonly find: (tokenHash: string) => Promise<PendingReset | undefined>;
  /** Removes the token (once mailed), and every expired one. */
  readonly remove: (tokenHash: string, client?: Pick<pg.ClientBase, 'query'>) => Promise<void>;
}

/** AES-256-GCM under a key derived from the service's secret: a copy of the table alone opens nothing. */
const keyFrom = (secret: string): Buffer => Buffer.from(hkdfSync('sha256', secret, 'fastflix', 'password-reset-outbox v1', 32));

const seal = (key: Buffer, value: { readonly to: string; readonly token: string }): string => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
};

const open = (key: Buffer, sealed: string): { readonly to: string; readonly token: string } | undefined => {
  const bytes = Buffer.from(sealed, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    const text = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { to, token } = value as { to?: unknown; token?: unknown };
    return typeof to === 'string' && typeof token === 'string' ? { to, token } : undefined;
  } catch {
    // Sealed under another secret (JWT_SECRET changed since), or altered: nothing to send.
    return undefined;
  }
};

export const createResetOutbox = (pool: pg.Pool, secret: string): ResetOutbox => {
  const key = keyFrom(secret);
  return {
    keep: async (reset) => {
      await pool.query(
        `INSERT INTO password_reset_outbox (token_hash, user_id, sealed, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (token_hash) DO UPDATE SET user_id = excluded.user_id, sealed = excluded.sealed, expires_at = excluded.expires_at`,
        [reset.tokenHash, reset.userId, seal(key, { to: reset.to, token: reset.token }), reset.expiresAt],
      );
    },
    find: async (tokenHash) => {
      const { rows } = await pool.query<{ user_id: string; sealed: string; expires_at: Date }>(
        'SELECT user_id, sealed, expires_at FROM password_reset_outbox WHERE token_hash = $1',
        [tokenHash],
      );
      const row = rows[0];
      const opened = row === undefined ? undefined : open(key, row.sealed);
      if (row === undefined || opened === undefined) return undefined;
      return { tokenHash, userId: row.user_id, ...opened, expiresAt: row.expires_at };
    },
    remove: async (tokenHash, client: Pick<pg.ClientBase, 'query'> = pool) => {
      await client.query('DELETE FROM password_reset_outbox WHERE token_hash = $1 OR expires_at < now()', [tokenHash]);
    },
  };
};
