import type { Middleware } from 'koa';
import type { PasswordHasher } from '../../auth/passwords.ts';
import { serviceUnavailable, tooManyRequests } from '../problem.ts';
import type { Rejected } from './rejection.ts';

// scrypt is tens of milliseconds of CPU and 32 MiB a computation: a flood of logins must not be
// able to queue so many that a genuine one waits seconds behind them. Two gates: one client address
// may have only a few requests hashing (or waiting to) at once, the rest refused at once; and the
// process runs only so many hashes at a time with a short queue, beyond which it answers 503 rather
// than letting the wait grow without bound.

/** At most `concurrency` at once, `queue` more waiting (first come, first served); beyond that, 503. */
export const hashSlots = (concurrency: number, queue: number, rejected: Rejected) => {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next === undefined) running -= 1;
    else next();
  };
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running < concurrency) running += 1;
    else if (waiting.length < queue) await new Promise<void>((resolve) => waiting.push(resolve));
    else {
      rejected('password_hashes');
      throw serviceUnavailable('Too many passwords are being checked at this moment; retry shortly', 1, 'warn');
    }
    try {
      return await work();
    } finally {
      release();
    }
  };
};

export const gatedPasswords = (passwords: PasswordHasher, slots: ReturnType<typeof hashSlots>): PasswordHasher => ({
  hash: (password) => slots(() => passwords.hash(password)),
  verify: (hash, password) => slots(() => passwords.verify(hash, password)),
  verifyNothing: (password) => slots(() => passwords.verifyNothing(password)),
});

/** On the routes that hash: a client address with `limit` such requests in progress is refused another (429). */
export const hashesPerAddress = (limit: number, rejected: Rejected): Middleware => {
  const inProgress = new Map<string, number>();
  return async (ctx, next) => {
    const address = ctx.ip;
    const count = inProgress.get(address) ?? 0;
    if (count >= limit) {
      rejected('password_hashes_per_address');
      throw tooManyRequests(1);
    }
    inProgress.set(address, count + 1);
    try {
      await next();
    } finally {
      const left = (inProgress.get(address) ?? 1) - 1;
      if (left === 0) inProgress.delete(address);
      else inProgress.set(address, left);
    }
  };
};
