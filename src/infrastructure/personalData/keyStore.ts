import { randomBytes } from 'node:crypto';
import type pg from 'pg';

// The per-account keys that seal personal data in events (table personal_data_keys). A key is made
// when the account's first personal event is appended and destroyed when the account is forgotten;
// the row stays, keyless, as the mark of a forgotten account.

/** What the store knows of an account: its key, `forgotten` (key destroyed), or nothing (no key was ever made). */
export type KeyState = { readonly kind: 'key'; readonly key: Buffer } | { readonly kind: 'forgotten' };

export interface PersonalDataKeys {
  /** The account's key, made now if it has none; undefined when the account was forgotten (nothing may be sealed for it). */
  readonly keyFor: (userId: string) => Promise<Buffer | undefined>;
  /** What is known of each account, in one round trip; accounts never keyed are absent. */
  readonly lookUp: (userIds: readonly string[]) => Promise<ReadonlyMap<string, KeyState>>;
  /** Destroys the account's key (marking it forgotten even if it had none); false when it was forgotten already. */
  readonly destroy: (userId: string) => Promise<boolean>;
}

export const createPersonalDataKeys = (pool: Pick<pg.Pool, 'query'>): PersonalDataKeys => ({
  keyFor: async (userId) => {
    // One statement, so that two appends racing for a new account agree on one key.
    const result = await pool.query<{ key: Buffer | null }>(
      `WITH made AS (
         INSERT INTO personal_data_keys (user_id, key) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING RETURNING key
       )
       SELECT key FROM made UNION ALL SELECT key FROM personal_data_keys WHERE user_id = $1`,
      [userId, randomBytes(32)],
    );
    const [row] = result.rows;
    if (row !== undefined) return row.key ?? undefined;
    // Another statement made it meanwhile, after this one's snapshot: read it now.
    const again = await pool.query<{ key: Buffer | null }>('SELECT key FROM personal_data_keys WHERE user_id = $1', [userId]);
    return again.rows[0]?.key ?? undefined;
  },
  lookUp: async (userIds) => {
    const known = new Map<string, KeyState>();
    if (userIds.length === 0) return known;
    const result = await pool.query<{ user_id: string; key: Buffer | null }>(
      'SELECT user_id, key FROM personal_data_keys WHERE user_id = ANY($1::uuid[])',
      [[...new Set(userIds)]],
    );
    for (const row of result.rows) known.set(row.user_id, row.key === null ? { kind: 'forgotten' } : { kind: 'key', key: row.key });
    return known;
  },
  destroy: async (userId) => {
    const result = await pool.query<{ destroyed: boolean }>(
      `INSERT INTO personal_data_keys (user_id, key, forgotten_at) VALUES ($1, NULL, now())
       ON CONFLICT (user_id) DO UPDATE SET key = NULL, forgotten_at = now() WHERE personal_data_keys.key IS NOT NULL
       RETURNING true AS destroyed`,
      [userId],
    );
    return result.rows.length > 0;
  },
});
