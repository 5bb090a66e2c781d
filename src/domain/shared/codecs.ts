import * as t from 'io-ts';

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
/** Stored as given; compared and reserved in lower case (see `emailKey`). */
export const Email = t.brand(
  t.string,
  (s): s is t.Branded<string, EmailBrand> => s.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s),
  'Email',
);
export type Email = t.TypeOf<typeof Email>;

/** One e-mail address in any letter case is one account. */
export const emailKey = (email: Email): string => email.trim().toLowerCase();

export interface DisplayNameBrand {
  readonly DisplayName: unique symbol;
}
export const DisplayName = t.brand(
  t.string,
  (s): s is t.Branded<string, DisplayNameBrand> => s.trim().length >= 1 && s.length <= 80,
  'DisplayName',
);
export type DisplayName = t.TypeOf<typeof DisplayName>;

export const Role = t.keyof({ user: null, admin: null }, 'Role');
export type Role = t.TypeOf<typeof Role>;

export interface IsoDateTimeBrand {
  readonly IsoDateTime: unique symbol;
}
export const IsoDateTime = t.brand(
  t.string,
  (s): s is t.Branded<string, IsoDateTimeBrand> =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
  'IsoDateTime',
);
export type IsoDateTime = t.TypeOf<typeof IsoDateTime>;

export interface ScoreBrand {
  readonly Score: unique symbol;
}
/** A rating: 0.5 to 5.0 in half stars. */
export const Score = t.brand(t.number, (n): n is t.Branded<number, ScoreBrand> => n >= 0.5 && n <= 5 && Number.isInteger(n * 2), 'Score');
export type Score = t.TypeOf<typeof Score>;
