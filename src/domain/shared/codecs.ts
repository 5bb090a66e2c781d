import * as t from 'io-ts';
import { textCodec } from './text.ts';

// The domain's value types. Each codec is the type (`type Email = t.TypeOf<typeof Email>`); brands
// make a checked value distinct from a plain string or number at compile time.

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface UuidBrand {
  readonly Uuid: unique symbol;
}
export const Uuid = t.brand(t.string, (s): s is t.Branded<string, UuidBrand> => uuidPattern.test(s), 'Uuid');
export type Uuid = t.TypeOf<typeof Uuid>;

export interface EmailBrand {
  readonly Email: unique symbol;
}
/**
 * In Unicode's compatibility form (NFKC, as NIST SP 800-63B asks of what people type): "ｋim@…" and
 * "Kim@…" (a Kelvin sign) are the address "Kim@…". Stored as given otherwise; compared and reserved in
 * lower case (see `emailKey`).
 */
export const Email = textCodec<EmailBrand>(
  'Email',
  (s) => (s.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s) ? undefined : 'must be an e-mail address of at most 254 characters'),
  { normalize: 'NFKC' },
);
export type Email = t.TypeOf<typeof Email>;

/** One e-mail address in any letter case is one account. */
export const emailKey = (email: Email): string => email.trim().toLowerCase();

export interface DisplayNameBrand {
  readonly DisplayName: unique symbol;
}
export const DisplayName = textCodec<DisplayNameBrand>('DisplayName', (s) =>
  s.trim().length >= 1 && s.length <= 80 ? undefined : 'must be 1 to 80 characters, not only spaces',
);
export type DisplayName = t.TypeOf<typeof DisplayName>;

export const Role = t.keyof({ user: null, admin: null }, 'Role');
export type Role = t.TypeOf<typeof Role>;

export interface IsoDateTimeBrand {
  readonly IsoDateTime: unique symbol;
}
/**
 * An RFC 3339 time that means one instant to every reader: JavaScript's `Date.parse` rolls February
 * 30 over to March 1 and 24:00 into the next day, where PostgreSQL's timestamptz refuses them, so a
 * value is taken only when its fields are a real date and time as written. At most six fractional
 * digits (PostgreSQL keeps microseconds); offsets up to ±14:00; years 1000 to 9999.
 */
export const IsoDateTime = textCodec<IsoDateTimeBrand>('IsoDateTime', (s) =>
  isRealIsoTime(s) ? undefined : 'must be a real date and time such as 2024-02-29T20:15:00Z (RFC 3339, at most 6 fractional digits)',
);
export type IsoDateTime = t.TypeOf<typeof IsoDateTime>;

const isoTime = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2}):(\d{2}))$/;

const isRealIsoTime = (s: string): boolean => {
  const match = isoTime.exec(s);
  if (match === null) return false;
  const [year, month, day, hour, minute, second, offsetHours = 0, offsetMinutes = 0] = match.slice(1).map((part) => Number(part ?? 0));
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined || second === undefined)
    return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    year >= 1000 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 14 &&
    offsetMinutes <= 59
  );
};

export interface ScoreBrand {
  readonly Score: unique symbol;
}
/** A rating: 0.5 to 5.0 in half stars. */
export const Score = t.brand(t.number, (n): n is t.Branded<number, ScoreBrand> => n >= 0.5 && n <= 5 && Number.isInteger(n * 2), 'Score');
export type Score = t.TypeOf<typeof Score>;
