import * as E from 'fp-ts/lib/Either.js';
import type { ReservationEvent } from '../../domain/reservation/events.ts';
import type { Uuid } from '../../domain/shared/codecs.ts';
import type { DomainEvent } from '../../domain/events.ts';
import type { EventMetadata, StreamName } from '../../infrastructure/eventStore/eventStore.ts';
import { WrongExpectedRevisionError } from '../../infrastructure/eventStore/errors.ts';
import { appendTyped } from '../../infrastructure/eventStore/typedAppend.ts';
import type { CommandEnvironment } from './handleCommand.ts';

/**
 * Claims a unique value (an e-mail address, a slug) by creating the stream named after it, which only
 * one writer can do. Answers the id of the aggregate the value belongs to: ours if this claim created
 * the stream, the first claimant's otherwise. The caller then creates that aggregate with `no_stream`:
 * if it exists, the value is taken; if not, an earlier claim stopped half-way and this one completes it.
 * A released value (an e-mail whose account was forgotten) is claimed again on the same stream, at the
 * revision of its release, so that still exactly one claimant wins.
 */
export const claim = async (
  environment: CommandEnvironment,
  stream: StreamName,
  reservation: ReservationEvent,
  options: { readonly metadata: EventMetadata; readonly eventIds?: (count: number) => readonly string[] },
): Promise<Uuid> => {
  for (let attempt = 0; ; attempt++) {
    const last = await lastReservation(environment, stream);
    // Free: never reserved, or released (its account was forgotten), at the revision just read.
    const free = last === undefined || last.event.type === 'EmailReleased';
    if (!free) return ownerIn(last.event, stream);
    try {
      await appendTyped(environment.store, environment.registry, stream, [reservation], {
        expectedRevision: last === undefined ? 'no_stream' : last.revision,
        metadata: options.metadata,
        eventIds: options.eventIds?.(1),
      });
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= 3) throw error;
    }
  }
};

/** Whom a reserved value belongs to, if it is reserved (and not released since). */
export const ownerOf = async (environment: CommandEnvironment, stream: StreamName): Promise<Uuid | undefined> => {
  const last = await lastReservation(environment, stream);
  return last === undefined || last.event.type === 'EmailReleased' ? undefined : ownerIn(last.event, stream);
};

/** A reservation stream's last event: a reservation, or the release of one. */
const lastReservation = async (
  environment: CommandEnvironment,
  stream: StreamName,
): Promise<{ readonly event: DomainEvent; readonly revision: bigint } | undefined> => {
  const [last] = await environment.store.readStream(stream, { direction: 'backwards', fromRevision: 'end', maxCount: 1 });
  if (last === undefined) return undefined;
  const decoded = environment.registry.decode(last);
  if (E.isLeft(decoded)) throw decoded.left;
  return { event: decoded.right, revision: last.revision };
};

const ownerIn = (event: DomainEvent, stream: StreamName): Uuid => {
  switch (event.type) {
    case 'EmailReserved':
      return event.data.userId;
    case 'SlugReserved':
      return event.data.movieId;
    default:
      throw new Error(`the reservation stream ${stream} holds no reservation`);
  }
};
