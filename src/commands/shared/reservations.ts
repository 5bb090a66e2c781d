import * as E from 'fp-ts/lib/Either.js';
import type { ReservationEvent } from '../../domain/reservation/events.ts';
import type { Uuid } from '../../domain/shared/codecs.ts';
import type { EventMetadata, StreamName } from '../../infrastructure/eventStore/eventStore.ts';
import { WrongExpectedRevisionError } from '../../infrastructure/eventStore/errors.ts';
import { appendTyped } from '../../infrastructure/eventStore/typedAppend.ts';
import type { CommandEnvironment } from './handleCommand.ts';

/**
 * Claims a unique value (an e-mail address, a slug) by creating the stream named after it, which only
 * one writer can do. Answers the id of the aggregate the value belongs to: ours if this claim created
 * the stream, the first claimant's otherwise. The caller then creates that aggregate with `no_stream`:
 * if it exists, the value is taken; if not, an earlier claim stopped half-way and this one completes it.
 */
export const claim = async (
  environment: CommandEnvironment,
  stream: StreamName,
  reservation: ReservationEvent,
  options: { readonly metadata: EventMetadata; readonly eventIds?: (count: number) => readonly string[] },
): Promise<Uuid> => {
  try {
    await appendTyped(environment.store, environment.registry, stream, [reservation], {
      expectedRevision: 'no_stream',
      metadata: options.metadata,
      eventIds: options.eventIds?.(1),
    });
  } catch (error) {
    if (!(error instanceof WrongExpectedRevisionError)) throw error;
  }
  const owner = await ownerOf(environment, stream);
  if (owner === undefined) throw new Error(`the reservation stream ${stream} holds no reservation`);
  return owner;
};

/** Whom a reserved value belongs to, if it is reserved. */
export const ownerOf = async (environment: CommandEnvironment, stream: StreamName): Promise<Uuid | undefined> => {
  const [first] = await environment.store.readStream(stream, { maxCount: 1 });
  if (first === undefined) return undefined;
  const decoded = environment.registry.decode(first);
  if (E.isLeft(decoded)) throw decoded.left;
  switch (decoded.right.type) {
    case 'EmailReserved':
      return decoded.right.data.userId;
    case 'SlugReserved':
      return decoded.right.data.movieId;
    default:
      return undefined;
  }
};
