import * as scryptModule from 'scrypt-kdf';

// ESM-only package whose types describe the namespace, while its functions hang off the default export.
const scrypt = (scryptModule as unknown as { default: typeof scryptModule }).default;

/**
 * Password hashing with scrypt. Parameters: N = 2^logN (default 2^15), r = 8, p = 1, so one hash
 * takes 32 MiB and about 90 ms on our 2-core benchmark machine. That is OWASP's floor for scrypt
 * memory-hardness (2^15 with r = 8 is its "minimum" row for 32 MiB budgets) while keeping a login
 * under 100 ms; raise PASSWORD_HASH_COST to 16 or 17 where logins are rare and memory plentiful.
 * The cost is stored in each hash, so old hashes keep verifying after a change.
 */
export interface PasswordHasher {
  readonly hash: (password: string) => Promise<string>;
  /** Constant-time comparison (scrypt-kdf compares with timingSafeEqual). */
  readonly verify: (hash: string, password: string) => Promise<boolean>;
  /** As long as a real verification, for an account that does not exist, so timing reveals nothing. */
  readonly verifyNothing: (password: string) => Promise<false>;
}

export const createPasswordHasher = (
  logN: number,
  /** Told of every scrypt computation (the metrics count them). */
  computed: (operation: 'hash' | 'verify' | 'decoy') => void = () => undefined,
): PasswordHasher => {
  const kdf = async (password: string): Promise<string> => Buffer.from(await scrypt.kdf(password, { logN, r: 8, p: 1 })).toString('base64');
  let decoy: Promise<string> | undefined;
  return {
    hash: (password) => {
      computed('hash');
      return kdf(password);
    },
    verify: async (stored, password) => {
      computed('verify');
      return scrypt.verify(Buffer.from(stored, 'base64'), password).catch(() => false);
    },
    verifyNothing: async (password) => {
      computed('decoy');
      decoy ??= kdf('decoy password for accounts that do not exist');
      await scrypt.verify(Buffer.from(await decoy, 'base64'), password).catch(() => false);
      return false;
    },
  };
};
