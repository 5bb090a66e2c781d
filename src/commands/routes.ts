import Router from '@koa/router';
import type { ResetOutbox } from '../infrastructure/mail/resetOutbox.ts';
import { addMovieRoute } from './addMovie/route.ts';
import { addToWatchlistRoute } from './addToWatchlist/route.ts';
import { archiveMovieRoute } from './archiveMovie/route.ts';
import { changeMovieDetailsRoute } from './changeMovieDetails/route.ts';
import { changePasswordRoute } from './changePassword/route.ts';
import { changeUserRoleRoute } from './changeUserRole/route.ts';
import { forgetUserRoutes } from './forgetUser/route.ts';
import type { ErasePersonalData } from '../infrastructure/personalData/erasure.ts';
import { endSessionRoute } from './endSession/route.ts';
import { logInRoute } from './logIn/route.ts';
import { logOutRoute } from './logOut/route.ts';
import { markWatchedRoute } from './markWatched/route.ts';
import { rateMovieRoute } from './rateMovie/route.ts';
import { refreshSessionRoute } from './refreshSession/route.ts';
import { registerUserRoute } from './registerUser/route.ts';
import { removeFromWatchlistRoute } from './removeFromWatchlist/route.ts';
import { requestPasswordResetRoute } from './requestPasswordReset/route.ts';
import { resetPasswordRoute } from './resetPassword/route.ts';
import { retractRatingRoute } from './retractRating/route.ts';
import type { CommandDependencies } from './shared/dependencies.ts';
import type { CountSessionsEnded } from './shared/sessionsEnded.ts';

/** Every command of the HTTP contract (DESIGN.md), one slice each. */
export const commandRoutes = (
  dependencies: CommandDependencies & {
    readonly resetOutbox: Pick<ResetOutbox, 'keep'>;
    readonly countSessionsEnded: CountSessionsEnded;
    readonly erasePersonalData: ErasePersonalData;
  },
): Router => {
  const router = new Router();
  for (const route of [
    registerUserRoute,
    logInRoute,
    refreshSessionRoute,
    logOutRoute,
    endSessionRoute,
    changePasswordRoute,
    resetPasswordRoute,
    addMovieRoute,
    changeMovieDetailsRoute,
    archiveMovieRoute,
    rateMovieRoute,
    retractRatingRoute,
    markWatchedRoute,
    addToWatchlistRoute,
    removeFromWatchlistRoute,
    changeUserRoleRoute,
  ]) {
    route(router, dependencies);
  }
  requestPasswordResetRoute(router, dependencies);
  forgetUserRoutes(router, dependencies);
  return router;
};
