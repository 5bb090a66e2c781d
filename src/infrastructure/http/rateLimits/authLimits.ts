import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { refusal, take, type Rejected } from './rejection.ts';

/**
 * The account a login names, as a key: the address as the account lookup folds it (NFKC, lower
 * case), hashed so that no address is kept in the limiter's store.
 */
const accountKey = (body: unknown): string | undefined => {
  if (typeof body !== 'object' || body === null) return undefined;
  const named = 'email' in body ? body.email : 'username' in body ? body.username : undefined;
  if (typeof named !== 'string' || named.trim() === '') return undefined;
  return createHash('sha256').update(named.trim().normalize('NFKC').toLowerCase()).digest('base64url');
};

/** Refused when the key has no point left in the window (a read: nothing is taken). */
const refuseIfSpent = async (limiter: RateLimiterAbstract, limit: string, key: string, rejected: Rejected): Promise<void> => {
  const state = await limiter.get(key);
  if (state !== null && state.remainingPoints <= 0) throw refusal(limit, state, rejected);
};

/** A failure is recorded even when it spends the last point: the next attempt is the one refused. */
const recordFailure = async (limiter: RateLimiterAbstract, key: string): Promise<void> => {
  await limiter.consume(key).catch((outcome: unknown) => {
    if (!(outcome instanceof RateLimiterRes)) throw outcome;
  });
};

/**
 * `POST /auth/login`: after so many failed logins in the window for one account, or from one client
 * address, further attempts are 429 with Retry-After before any password is checked; a login that
 * succeeds clears its account's count (not its address's: one address may try many accounts).
 */
export const loginLimits =
  (limiters: { readonly byAccount: RateLimiterAbstract; readonly byAddress: RateLimiterAbstract }, rejected: Rejected): Middleware =>
  async (ctx, next) => {
    const account = accountKey(ctx.request.body);
    await refuseIfSpent(limiters.byAddress, 'login_failures_address', ctx.ip, rejected);
    if (account !== undefined) await refuseIfSpent(limiters.byAccount, 'login_failures_account', account, rejected);
    // The route says a login failed (`ctx.state.loginFailed`): the JSON login throws its 401, the
    // OAuth2 form answers 400 invalid_grant, and both are a wrong password.
    const recordIfFailed = async (): Promise<void> => {
      if ((ctx.state as { loginFailed?: boolean }).loginFailed !== true) return;
      await recordFailure(limiters.byAddress, ctx.ip);
      if (account !== undefined) await recordFailure(limiters.byAccount, account);
    };
    try {
      await next();
    } catch (error) {
      await recordIfFailed();
      throw error;
    }
    await recordIfFailed();
    if (account !== undefined && ctx.status < 300) await limiters.byAccount.delete(account);
  };

/** Every request of a client address to the route takes a point (registrations, password resets). */
export const perAddress =
  (limiter: RateLimiterAbstract, limit: string, rejected: Rejected): Middleware =>
  async (ctx, next) => {
    await take(limiter, limit, ctx.ip, rejected);
    await next();
  };
