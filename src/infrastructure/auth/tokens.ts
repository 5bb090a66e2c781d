import { createHash, createSecretKey, randomBytes } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import jwt from 'jsonwebtoken';
import { Role, Uuid } from '../../domain/shared/codecs.ts';

// Access tokens are JWTs (HS256 only: the allowlist is what stops `alg: none` and the HS/RS confusion
// attack), checked as RFC 8725 asks: issuer, audience, an expiry that must be there, an issue time
// not in the future, the type RFC 9068 gives access tokens (`at+jwt`, so that no other JWT signed
// with the key passes for one), and no critical extension this service does not know (it knows none). Refresh tokens are opaque: `<sessionId>.<secret>`;
// only the secret's SHA-256 is stored (it is 256 random bits, so no slow hash is needed), and each
// refresh rotates it (see domain/session).

const issuer = 'fastflix';
const audience = 'fastflix-api';
const algorithm = 'HS256';
const type = 'at+jwt';
/** Clocks of several API processes differ a little; a token issued further ahead than this was not issued here. */
const issuedAheadLeewaySeconds = 60;

const AccessClaims = t.type({ sub: Uuid, role: Role, sid: Uuid });
export type AccessClaims = t.TypeOf<typeof AccessClaims>;
/** What a token must carry beyond the claims: when it was issued and when it expires (jsonwebtoken checks exp only when present). */
const TokenTimes = t.type({ iat: t.number, exp: t.number });

export interface TokenService {
  readonly issueAccessToken: (claims: AccessClaims) => { readonly token: string; readonly expiresIn: number };
  /** The claims and when the token was issued (seconds since the epoch), or why the token is refused (for the 401's detail). */
  readonly verifyAccessToken: (token: string) => E.Either<string, AccessClaims & { readonly iat: number }>;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /** A session's whole life from sign-in, which refreshes do not extend. */
  readonly sessionLifetimeSeconds: number;
}

export const createTokenService = (options: {
  readonly secret: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /** Defaults to the refresh token's lifetime: a session then lasts as long as its first refresh token would. */
  readonly sessionLifetimeSeconds?: number;
  /**
   * Seconds since the epoch, with milliseconds as a fraction (RFC 7519's NumericDate may have one):
   * whether a token was issued before a password change a moment later must be told apart.
   * Injected so tests can move time.
   */
  readonly nowSeconds: () => number;
}): TokenService => {
  // A KeyObject, not the string: given a string, jsonwebtoken first tries to parse it as a PEM public
  // key on every call, which was 14% of the CPU time of a rating command.
  const secret = createSecretKey(Buffer.from(options.secret));
  return {
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds,
    sessionLifetimeSeconds: options.sessionLifetimeSeconds ?? options.refreshTokenTtlSeconds,
    issueAccessToken: (claims) => {
      const iat = options.nowSeconds();
      const token = jwt.sign({ ...claims, iat, exp: iat + options.accessTokenTtlSeconds }, secret, {
        algorithm,
        issuer,
        audience,
        header: { alg: algorithm, typ: type },
      });
      return { token, expiresIn: options.accessTokenTtlSeconds };
    },
    verifyAccessToken: (token) => {
      const now = options.nowSeconds();
      let verified: jwt.Jwt;
      try {
        verified = jwt.verify(token, secret, { algorithms: [algorithm], issuer, audience, clockTimestamp: now, complete: true });
      } catch (error) {
        return E.left(describeJwtError(error));
      }
      const { header, payload } = verified;
      if (header.typ?.toLowerCase() !== type && header.typ?.toLowerCase() !== `application/${type}`)
        return E.left(`the token is not an access token (typ must be ${type})`);
      if ('crit' in header) return E.left('the token names critical extensions this service does not know');
      const times = TokenTimes.decode(payload);
      if (E.isLeft(times)) return E.left('the token does not say when it was issued and when it expires');
      if (times.right.iat > now + issuedAheadLeewaySeconds) return E.left('the token was issued in the future');
      const claims = AccessClaims.decode(payload);
      if (E.isLeft(claims)) return E.left('the token does not carry the expected claims');
      return E.right({ sub: claims.right.sub, role: claims.right.role, sid: claims.right.sid, iat: times.right.iat });
    },
  };
};

const describeJwtError = (error: unknown): string => {
  if (error instanceof jwt.TokenExpiredError) return 'the token has expired';
  if (error instanceof jwt.NotBeforeError) return 'the token is not valid yet';
  if (error instanceof jwt.JsonWebTokenError) return `the token is invalid (${error.message})`;
  return 'the token is invalid';
};

// refresh tokens

export const newRefreshToken = (sessionId: Uuid): { readonly token: string; readonly hash: string } => {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${sessionId}.${secret}`, hash: sha256(secret) };
};

export const parseRefreshToken = (token: string): { readonly sessionId: Uuid; readonly hash: string } | undefined => {
  const [sessionId, secret, ...rest] = token.split('.');
  const decoded = Uuid.decode(sessionId);
  if (rest.length > 0 || secret === undefined || !/^[A-Za-z0-9_-]{43}$/.test(secret) || E.isLeft(decoded)) return undefined;
  return { sessionId: decoded.right, hash: sha256(secret) };
};

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');
