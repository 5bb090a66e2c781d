import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { forbidden, unauthorized } from '../../infrastructure/http/problem.ts';
import { acceptsFormBody } from '../../infrastructure/http/requestBody.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { decodeBody, eventMetadata, type CommandContext } from '../shared/http.ts';
import { LogInRequest, PasswordGrantForm } from './command.ts';
import { logIn } from './handler.ts';
import { invalidGrant, OAuth2Error, OAuth2Tokens, oauth2Tokens, readPasswordGrant } from './oauth2.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { exampleTokens, IssuedTokensAnswer } from '../shared/docs.ts';
import * as t from 'io-ts';

export const logInRoute = (router: Router, dependencies: CommandDependencies): void => {
  // The OAuth2 password grant is a form (RFC 6749 §4.3): the one route that reads one.
  router.post(
    '/auth/login',
    documented({
      summary: 'Sign in: JSON, or the OAuth2 password grant as a form',
      description:
        'JSON `{ email, password }` answers camelCase tokens, errors as problem+json. The form (RFC 6749 §4.3: grant_type=password, ' +
        'username = the e-mail address) answers `access_token`, `token_type`, `expires_in`, `refresh_token`, and refusals as ' +
        '`{ error, error_description }` with 400 (invalid_grant, invalid_request, unsupported_grant_type), as OAuth2 clients expect.',
      tag: 'auth',
      body: { codec: LogInRequest, example: { email: 'ada@example.com', password: 'correct horse battery' } },
      form: {
        codec: PasswordGrantForm,
        example: { grant_type: 'password', username: 'ada@example.com', password: 'correct horse battery' },
      },
      answers: {
        200: {
          description: 'Signed in: tokens (camelCase for JSON, RFC 6749 names for the form)',
          body: t.union([IssuedTokensAnswer, OAuth2Tokens]),
          example: exampleTokens,
        },
        400: { description: 'The form: an OAuth2 error (RFC 6749 §5.2)', body: OAuth2Error, example: invalidGrant },
      },
      problems: {
        401: 'JSON: the e-mail address or the password is not correct',
        403: 'JSON: this account has been deactivated',
        429: 'Too many failed logins for this account or from this address',
      },
    }),
    acceptsFormBody,
    dependencies.limits.logins,
    dependencies.limits.hashes,
    async (ctx: CommandContext) => {
      // Tokens must not be kept by caches along the way (RFC 6749 §5.1), nor OAuth2 errors (§5.2).
      ctx.set('Cache-Control', 'no-store');
      if (ctx.is('application/x-www-form-urlencoded')) {
        const grant = readPasswordGrant(ctx.request.body);
        if (E.isLeft(grant)) return oauth2Refusal(ctx, grant.left);
        const result = await logIn(dependencies, grant.right, eventMetadata(ctx, dependencies.clock()));
        if (result === 'InvalidCredentials') {
          ctx.state.loginFailed = true;
          return oauth2Refusal(ctx, invalidGrant);
        }
        // After the right password, as the JSON login says it with its 403.
        if (result === 'AccountDeactivated')
          return oauth2Refusal(ctx, { error: 'invalid_grant', error_description: 'This account has been deactivated' });
        ctx.set('X-Event-Position', result.position);
        ctx.set('Pragma', 'no-cache');
        ctx.body = oauth2Tokens(result);
        return;
      }
      const result = await logIn(dependencies, decodeBody(LogInRequest, ctx), eventMetadata(ctx, dependencies.clock()));
      if (result === 'InvalidCredentials') {
        ctx.state.loginFailed = true;
        throw unauthorized('The e-mail address or the password is not correct');
      }
      if (result === 'AccountDeactivated') throw forbidden('This account has been deactivated');
      ctx.set('X-Event-Position', result.position);
      ctx.body = result;
    },
  );
};

const oauth2Refusal = (ctx: CommandContext, error: OAuth2Error): void => {
  ctx.status = 400;
  ctx.set('Pragma', 'no-cache');
  ctx.body = error;
};
