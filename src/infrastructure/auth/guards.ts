import * as E from 'fp-ts/lib/Either.js';
import type { Middleware } from 'koa';
import type { Role, Uuid } from '../../domain/shared/codecs.ts';
import { forbidden, unauthorized } from '../http/problem.ts';
import type { EndedSessions } from './endedSessions.ts';
import type { AccessClaims, TokenService } from './tokens.ts';

/** `ctx.state` once a guard has let the request through. */
export interface AuthenticatedState {
  user?: AccessClaims;
}

export interface Guards {
  /** 401 without a valid bearer token; otherwise `ctx.state.user` holds its claims. */
  readonly requireUser: Middleware<AuthenticatedState>;
  /**
   * `requireUser`, then 403 unless the user has the role now. The token's role claim is checked first,
   * then the account itself: a demoted admin must not keep admin rights for the token's lifetime.
   */
  readonly requireRole: (role: Role) => Middleware<AuthenticatedState>;
}

export const createGuards = (
  tokens: TokenService,
  currentRole: (userId: Uuid) => Promise<Role | undefined>,
  /** Sessions ended by logout, revocation, a password change or deactivation: their tokens are refused. */
  endedSessions?: Pick<EndedSessions, 'ended'>,
): Guards => {
  const requireUser: Middleware<AuthenticatedState> = async (ctx, next) => {
    const header = ctx.get('Authorization');
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header);
    if (match?.[1] === undefined) {
      throw unauthorized(
        header === '' ? 'Sign in: send Authorization: Bearer <access token>' : 'The Authorization header must be Bearer <access token>',
      );
    }
    const claims = tokens.verifyAccessToken(match[1]);
    if (E.isLeft(claims)) throw unauthorized(`Sign in again: ${claims.left}`);
    if (endedSessions?.ended(claims.right) === true) throw unauthorized('Sign in again: the session of this token has ended');
    ctx.state.user = claims.right;
    await next();
  };

  const requireRole =
    (role: Role): Middleware<AuthenticatedState> =>
    async (ctx, next) => {
      await requireUser(ctx, async () => {
        const user = ctx.state.user;
        if (user === undefined || user.role !== role || (await currentRole(user.sub)) !== role)
          throw forbidden(`This needs the ${role} role`);
        await next();
      });
    };

  return { requireUser, requireRole };
};

/**
 * The claims `requireUser` (or `requireRole`) put on the request. Reached without either, a route is
 * wired wrong: our fault, a 500, not a 403 telling a signed-in client to sign in.
 */
export const signedInUser = (state: AuthenticatedState): AccessClaims => {
  if (state.user === undefined) throw new Error('a route asked for the signed-in user without requireUser before it');
  return state.user;
};
