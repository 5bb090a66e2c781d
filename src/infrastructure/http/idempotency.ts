import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import type pg from 'pg';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { canonicalJson } from '../eventStore/envelope.ts';
import { badRequest, conflict, HttpProblem } from './problem.ts';
import { take, type Rejected } from './rateLimits/rejection.ts';

const replayedHeaders = ['X-Event-Position', 'Location', 'ETag'] as const;

/** Well past the longest a request runs (query and read-your-writes timeouts are seconds). */
const abandonedAfterSeconds = 30;

export interface IdempotencyOptions {
  readonly pool: pg.Pool;
  readonly clock: () => Date;
  /** How long a key's first answer is kept (IDEMPOTENCY_KEY_TTL); after that the key is new again. */
  readonly ttlSeconds: number;
  /** New keys stored, per caller (RATE_LIMIT_IDEMPOTENCY_KEYS). */
  readonly limiter: RateLimiterAbstract;
  readonly rejected: Rejected;
}

/**
 * Whose keys these are. A signed-in caller by user id. An anonymous one (registration is the only
 * anonymous command) by client address, rather than refusing keys there: a registration whose answer
 * was lost is exactly what a key is for, and the address is all we know of the caller before sign-in.
 * Callers behind one address share its scope, which is why keys should be random (UUIDs).
 */
const callerOf = (user: { sub: string } | undefined, address: string): string =>
  user === undefined ? `address:${address}` : `user:${user.sub}`;

/**
 * `Idempotency-Key`: the first answer to a request is kept (per caller, route and key) for
 * `ttlSeconds` and replayed for every repetition, with `Idempotent-Replayed: true` and no new events.
 * The same key with a different body is refused (422); a repetition while the first is still running
 * gets 409. A failed request keeps no answer, so its retry runs afresh (with the same event ids). An
 * expired key is taken over as if new. Each new key takes a point of the caller's limit (429 beyond).
 * Runs after authentication: the caller is part of the scope.
 */
export const idempotency =
  (options: IdempotencyOptions): Middleware<{ user?: { sub: string }; idempotentRequest?: string }> =>
  async (ctx, next) => {
    const { pool } = options;
    const key = ctx.get('Idempotency-Key');
    if (key === '') {
      await next();
      return;
    }
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw badRequest('Idempotency-Key must be 1 to 255 visible ASCII characters');
    const caller = callerOf(ctx.state.user, ctx.ip);
    const scope = `${caller} ${ctx.method} ${ctx.path}`;
    const requestHash = createHash('sha256')
      .update(canonicalJson((ctx.request as { body?: unknown }).body ?? null))
      .digest('base64url');
    const now = options.clock();
    const expiredBefore = new Date(now.getTime() - options.ttlSeconds * 1000);

    // One statement: a new key, an expired one (a new life: new time, so new event ids), one whose
    // request failed (same life, same ids), or one left unanswered for longer than any request runs
    // (its request died with its connection or process; a database restart fails the clean-up too,
    // and refusing every retry with 409 would leave the key unusable for good) is taken; a live one is
    // left for the replay below. Should an abandoned-looking first still be running after all, both
    // carry the same event ids, so nothing is appended twice.
    const claimed = await pool.query<{ created_at: Date; renewed: boolean }>(
      `INSERT INTO idempotency_keys AS k (scope, key, request_hash, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (scope, key) DO UPDATE SET
         request_hash = EXCLUDED.request_hash, status = NULL, body = NULL, headers = NULL, failed = false,
         created_at = CASE WHEN k.created_at <= $5 THEN EXCLUDED.created_at ELSE k.created_at END
       WHERE k.created_at <= $5 OR k.failed
          OR (k.status IS NULL AND k.request_hash = EXCLUDED.request_hash AND k.created_at < $4 - make_interval(secs => $6))
       RETURNING k.created_at, k.created_at = $4 AS renewed`,
      [scope, key, requestHash, now, expiredBefore, abandonedAfterSeconds],
    );
    const claim = claimed.rows[0];
    if (claim === undefined) {
      const { rows } = await pool.query<{
        request_hash: string;
        status: number | null;
        body: unknown;
        headers: Record<string, string> | null;
        failed: boolean;
      }>('SELECT request_hash, status, body, headers, failed FROM idempotency_keys WHERE scope = $1 AND key = $2', [scope, key]);
      const first = rows[0];
      // Gone or failed between the two statements: the first request failed just now; this one may try again.
      if (first === undefined || first.failed) throw conflict('A request with this Idempotency-Key has just failed; retry it');
      if (first.request_hash !== requestHash) {
        throw new HttpProblem(422, 'Idempotency-Key reused', 'This Idempotency-Key was used before with a different request');
      }
      if (first.status === null)
        throw conflict(`A request with this Idempotency-Key is still being handled (or failed: retry after ${abandonedAfterSeconds} s)`);
      ctx.status = first.status;
      ctx.set(first.headers ?? {});
      ctx.set('Idempotent-Replayed', 'true');
      ctx.body = first.body;
      return;
    }
    if (claim.renewed) {
      // A key newly stored: it counts against the caller's limit, and is not kept when refused.
      try {
        await take(options.limiter, 'idempotency_keys', caller, options.rejected);
      } catch (error) {
        await pool.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2', [scope, key]);
        throw error;
      }
    }

    ctx.state.idempotentRequest = `${caller}\n${key}\n${claim.created_at.getTime()}`;
    try {
      await next();
    } catch (error) {
      await pool.query('UPDATE idempotency_keys SET failed = true WHERE scope = $1 AND key = $2', [scope, key]);
      throw error;
    }
    const headers = Object.fromEntries(
      replayedHeaders.flatMap((name) => (ctx.response.get(name) === '' ? [] : [[name, ctx.response.get(name)]])),
    );
    await pool.query('UPDATE idempotency_keys SET status = $3, body = $4, headers = $5 WHERE scope = $1 AND key = $2', [
      scope,
      key,
      ctx.status,
      JSON.stringify(ctx.body ?? null),
      JSON.stringify(headers),
    ]);
  };
