import { trace } from '@opentelemetry/api';
import type * as E from 'fp-ts/lib/Either.js';
import { settled } from '../../infrastructure/tracing/eventSpans.ts';
import { correlationIdAttribute, tracer } from '../../infrastructure/tracing/tracer.ts';

/**
 * A span around one command's handling (load or recall, decide, append, retries), named by the
 * command's type when the command is known up front (`command RateMovie`), by its stream's category
 * otherwise. Its outcome (a refusal, a stale If-Match, a conflict) is an attribute, not an error:
 * those are answers, not failures.
 */
export const withCommandSpan = <Result extends E.Either<{ readonly kind: string }, unknown>>(
  stream: string,
  command: unknown,
  correlationId: string,
  handle: () => Promise<Result>,
): Promise<Result> =>
  tracer().startActiveSpan(
    `command ${commandName(stream, command)}`,
    { attributes: { 'fastflix.stream': stream, [correlationIdAttribute]: correlationId } },
    (span) =>
      settled(span, async () => {
        const result = await handle();
        span.setAttribute('fastflix.command.outcome', result._tag === 'Right' ? 'done' : result.left.kind);
        return result;
      }),
  );

const commandName = (stream: string, command: unknown): string => {
  if (typeof command === 'object' && command !== null && 'type' in command && typeof command.type === 'string') return command.type;
  return stream.split('-')[0] ?? stream;
};

/** Names the command's span once a command made from the stream's state is known. */
export const nameCommandSpan = (command: unknown): void => {
  const span = trace.getActiveSpan();
  if (span?.isRecording() === true) span.updateName(`command ${commandName('', command)}`);
};
