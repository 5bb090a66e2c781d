import type Router from '@koa/router';
import type { ResetOutbox } from '../../infrastructure/mail/resetOutbox.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { decodeBody, eventMetadata, type CommandContext } from '../shared/http.ts';
import { RequestPasswordResetRequest } from './command.ts';
import { requestPasswordReset } from './handler.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import * as t from 'io-ts';

const ResetRequested = t.type({ status: t.literal('accepted'), detail: t.string }, 'ResetRequested');

/**
 * Always 202, at once: whether the address has an account is never revealed, neither by the answer
 * nor by how long it takes (the command runs after answering). For the same reason this one command
 * answers without an event position. The mail is no longer sent here: once the command's event is
 * committed, the mail reactor has a job send it, retried until the mail server takes it.
 */
export const requestPasswordResetRoute = (
  router: Router,
  dependencies: CommandDependencies & { readonly resetOutbox: Pick<ResetOutbox, 'keep'> },
): void => {
  router.post(
    '/auth/password-reset',
    documented({
      summary: 'Ask for a password reset token by mail',
      description: 'Always 202, at once: whether the address has an account is never revealed.',
      tag: 'auth',
      body: { codec: RequestPasswordResetRequest, example: { email: 'ada@example.com' } },
      answers: {
        202: {
          description: 'Accepted',
          body: ResetRequested,
          example: { status: 'accepted', detail: 'If an account has this address, a reset token is on its way to it' },
        },
      },
      problems: { 429: 'Too many reset requests from this address' },
    }),
    dependencies.limits.resetRequests,
    (ctx: CommandContext) => {
      const { email } = decodeBody(RequestPasswordResetRequest, ctx);
      const metadata = eventMetadata(ctx, dependencies.clock());
      const log = ctx.state.log;
      setImmediate(() => {
        requestPasswordReset(dependencies, email, metadata).catch((error: unknown) =>
          log.error({ err: error }, 'password reset request failed'),
        );
      });
      ctx.status = 202;
      ctx.body = { status: 'accepted', detail: 'If an account has this address, a reset token is on its way to it' } satisfies t.TypeOf<
        typeof ResetRequested
      >;
    },
  );
};
