import type pg from 'pg';
import { createPersonalDataKeys } from './keyStore.ts';

/** Erases what the service keeps of an account's personal data outside the log; false when there was nothing left to erase. */
export type ErasePersonalData = (userId: string) => Promise<boolean>;

/**
 * Destroys the account's key (its sealed fields in the log then read as redacted everywhere) and
 * drops reset tokens waiting for their mail, whose sealed copy names the address.
 */
export const erasePersonalData =
  (pool: pg.Pool): ErasePersonalData =>
  async (userId) => {
    await pool.query('DELETE FROM password_reset_outbox WHERE user_id = $1', [userId]);
    return createPersonalDataKeys(pool).destroy(userId);
  };
