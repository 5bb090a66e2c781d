import type Router from '@koa/router';
import { forbidden, unauthorized } from '../../infrastructure/http/problem.ts';
import { acceptsFormBody } from '../../infrastructure/http/requestBody.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { decodeBody, eventMetadata, type CommandContext } from '../shared/http.ts';
import { LogInRequest, PasswordGrantForm } from './command.ts';
import { logIn } from './handler.ts';

export const logInRoute = (router: Router, dependencies: CommandDependencies): void => {
  // The OAuth2 password grant is a form (RFC 6749 §4.3): the one route that reads one.
  router.post('/auth/login', acceptsFormBody, dependencies.limits.logins, dependencies.limits.hashes, async (ctx: CommandContext) => {
    const credentials = ctx.is('application/x-www-form-urlencoded')
      ? (({ username, password }) => ({ email: username, password }))(decodeBody(PasswordGrantForm, ctx))
      : decodeBody(LogInRequest, ctx);
    const result = await logIn(dependencies, credentials, eventMetadata(ctx, dependencies.clock()));
    if (result === 'InvalidCredentials') throw unauthorized('The e-mail address or the password is not correct');
    if (result === 'AccountDeactivated') throw forbidden('This account has been deactivated');
    ctx.set('X-Event-Position', result.position);
    // Tokens must not be kept by caches along the way (RFC 6749 §5.1).
    ctx.set('Cache-Control', 'no-store');
    ctx.body = result;
  });
};
