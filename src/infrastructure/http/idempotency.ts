import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import type pg from 'pg';
import { canonicalJson } from '../eventStore/envelope.ts';
import { badRequest, conflict, HttpProblem } from './problem.ts';

const replayedHeaders = ['X-Event-Position', 'Location', 'ETag'] as const;

/** Well past the longest a request runs (query and read-your-writes timeouts are seconds). */
const abandonedAfterSeconds = 30;

/**
 * `Idempotency-Key`: the first answer to a request is kept (per caller, route and key) and replayed
 * for every repetition, with `Idempotent-Replayed: true` and no new events. The same key with a
 * different body is refused (422); a repetition while the first is still running gets 409. A failed
 * request keeps nothing, so its retry runs afresh. Runs after authentication: the caller is part of
 * the scope.
 */
export const idempotency =
  (pool: pg.Pool): Middleware<{ user?: { sub: string }; idempotencyKey?: string }> =>
  async (ctx, next) => {
    const key = ctx.get('Idempotency-Key');
    if (key === '') {
      await next();
      return;
    }
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw badRequest('Idempotency-Key must be 1 to 255 visible ASCII characters');
    const scope = `${ctx.state.user?.sub ?? 'anonymous'} ${ctx.method} ${ctx.path}`;
    const requestHash = createHash('sha256')
      .update(canonicalJson((ctx.request as { body?: unknown }).body ?? null))
      .digest('base64url');

    // A claim left unanswered for longer than any request runs is taken over: its request died with
    // its connection or its process (a database restart fails the clean-up below too), and refusing
    // every retry with 409 would leave the key unusable for good. Should the first still be running
    // after all, its events carry ids made from the key, so the second appends none twice.
    const begun = await pool.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (scope, key) DO UPDATE SET created_at = now()
         WHERE idempotency_keys.status IS NULL AND idempotency_keys.request_hash = EXCLUDED.request_hash
           AND idempotency_keys.created_at < now() - make_interval(secs => $4)
       RETURNING 1`,
      [scope, key, requestHash, abandonedAfterSeconds],
    );
    if (begun.rowCount === 0) {
      const { rows } = await pool.query<{
        request_hash: string;
        status: number | null;
        body: unknown;
        headers: Record<string, string> | null;
      }>('SELECT request_hash, status, body, headers FROM idempotency_keys WHERE scope = $1 AND key = $2', [scope, key]);
      const first = rows[0];
      // Gone between the two statements: the first request failed just now; this one may try again.
      if (first === undefined) throw conflict('A request with this Idempotency-Key has just failed; retry it');
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

    ctx.state.idempotencyKey = key;
    try {
      await next();
    } catch (error) {
      await pool.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2', [scope, key]);
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
