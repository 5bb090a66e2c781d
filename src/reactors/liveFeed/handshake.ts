import * as E from 'fp-ts/lib/Either.js';
import jwt from 'jsonwebtoken';
import type { EndedSessions } from '../../infrastructure/auth/endedSessions.ts';
import type { TokenService } from '../../infrastructure/auth/tokens.ts';

// The Socket.IO handshake's `auth: { token, since? }`, checked as the HTTP guard checks a bearer
// token. A refusal is a sentence: it becomes the client's `connect_error` message.

export interface FeedClient {
  readonly userId: string;
  readonly sessionId: string;
  readonly iat: number;
  /** When the access token expires (seconds since the epoch): the socket is disconnected then. */
  readonly exp: number;
  /** The last position the client has; it is sent every later event it may see. */
  readonly since: bigint | undefined;
}

const position = /^(0|[1-9][0-9]{0,18})$/;

export const parseSince = (since: unknown): E.Either<string, bigint | undefined> => {
  if (since === undefined || since === null) return E.right(undefined);
  if (typeof since === 'number' && Number.isSafeInteger(since) && since >= 0) return E.right(BigInt(since));
  if (typeof since === 'string' && position.test(since)) return E.right(BigInt(since));
  return E.left(
    `since must be a global position (a whole number from 0, as a decimal string like "1234"): ${typeof since === 'string' || typeof since === 'number' ? JSON.stringify(since) : `a ${typeof since}`} is not`,
  );
};

export const checkHandshake = (
  auth: unknown,
  tokens: Pick<TokenService, 'verifyAccessToken'>,
  endedSessions: Pick<EndedSessions, 'ended'>,
): E.Either<string, FeedClient> => {
  const field = (name: string): unknown =>
    typeof auth === 'object' && auth !== null && name in auth ? Reflect.get(auth, name) : undefined;
  const token = field('token');
  if (token === undefined || token === null || token === '') return E.left('no token: connect with auth: { token: <access token> }');
  if (typeof token !== 'string') return E.left('the token must be a string (the access token from /auth/login)');
  const claims = tokens.verifyAccessToken(token);
  if (E.isLeft(claims)) return E.left(`sign in again: ${claims.left}`);
  if (endedSessions.ended(claims.right)) return E.left('sign in again: the session of this token has ended');
  const since = parseSince(field('since'));
  if (E.isLeft(since)) return since;
  // Verified above; only its expiry is read again here (the token service does not return it).
  const payload = jwt.decode(token, { json: true });
  const exp = typeof payload?.exp === 'number' ? payload.exp : claims.right.iat;
  return E.right({ userId: claims.right.sub, sessionId: claims.right.sid, iat: claims.right.iat, exp, since: since.right });
};
