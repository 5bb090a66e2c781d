import * as t from 'io-ts';
import { Uuid } from '../shared/codecs.ts';
import { defineEvent, type EventOf } from '../shared/eventDefinition.ts';

// Uniqueness without a read model: a value (an e-mail in lower case, a movie slug) is claimed by
// appending to a stream named after it with expected revision `no_stream`. Exactly one claimant can
// create a stream, so exactly one wins, however many race.

export const EmailReserved = defineEvent('EmailReserved', t.type({ email: t.string, userId: Uuid }));
/** The account that held the address was forgotten: the address can be reserved again, by a new account. */
export const EmailReleased = defineEvent('EmailReleased', t.type({ userId: Uuid }));
export const SlugReserved = defineEvent('SlugReserved', t.type({ slug: t.string, movieId: Uuid }));

export const reservationEvents = [EmailReserved, EmailReleased, SlugReserved] as const;
export type ReservationEvent = EventOf<(typeof reservationEvents)[number]>;
