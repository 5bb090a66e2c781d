import { createHash } from 'node:crypto';
import { emailKey, type Email, type Uuid } from '../../domain/shared/codecs.ts';
import type { Slug } from '../../domain/movie/values.ts';
import { streamName } from './streamName.ts';
import type { StreamName } from './eventStore.ts';

// Where each aggregate lives in the event store.

export const userStream = (userId: Uuid): StreamName => streamName('user', userId);
export const sessionStream = (sessionId: Uuid): StreamName => streamName('session', sessionId);
export const movieStream = (movieId: Uuid): StreamName => streamName('movie', movieId);
export const viewingStream = (userId: Uuid, movieId: Uuid): StreamName => streamName('viewing', `${userId}_${movieId}`);
/** Named by a hash, so that the address itself never appears in a stream name (logs, URLs, metrics). */
export const emailReservationStream = (email: Email): StreamName =>
  streamName('emailReservation', createHash('sha256').update(emailKey(email)).digest('hex'));
/** The one admin roster (domain/adminRoster): where admins' leaving is decided. */
export const adminRosterStream: StreamName = streamName('adminRoster', 'all');
export const slugReservationStream = (slug: Slug): StreamName => streamName('slugReservation', slug);
