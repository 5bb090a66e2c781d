import { createHmac, hkdfSync } from 'node:crypto';
import type { StreamName } from '../eventStore/eventStore.ts';
import { streamName } from '../eventStore/streamName.ts';

// E-mail reservation streams are named by the commands `emailReservation-<SHA-256 of the address>`
// (streams.ts). A plain hash of an address is found again by hashing a list of addresses, so the
// store keeps them under an HMAC of that name instead, keyed by a secret derived from JWT_SECRET:
// without the secret, a copy of the log does not tell whose address a stream reserves.

const category = 'emailReservation';

export interface EmailReservationStreams {
  /** The stream the store keeps a reservation under, for the name the commands use; other names as they are. */
  readonly keyed: (stream: StreamName) => StreamName;
  /** Whether this is a reservation stream as the commands name it (and as installations before sealing stored it). */
  readonly isReservation: (stream: StreamName) => boolean;
}

export const emailReservationStreams = (secret: string | undefined): EmailReservationStreams => {
  const key = secret === undefined ? undefined : Buffer.from(hkdfSync('sha256', secret, 'fastflix', 'email-reservation-stream v1', 32));
  const isReservation = (stream: StreamName): boolean => stream.startsWith(`${category}-`);
  // A keyed name (`k` and 64 hex digits; a SHA-256 in hex never starts with `k`) is read as it is: the audit tools name streams as stored.
  const isKeyed = (stream: StreamName): boolean => /^emailReservation-k[0-9a-f]{64}$/.test(stream);
  return {
    isReservation,
    keyed: (stream) => {
      if (!isReservation(stream) || isKeyed(stream)) return stream;
      // A process started without the secret (a role thread given none) has no business with reservations.
      if (key === undefined) throw new Error('no secret (JWT_SECRET) to name e-mail reservation streams by');
      return streamName(category, `k${createHmac('sha256', key).update(stream).digest('hex')}`);
    },
  };
};
