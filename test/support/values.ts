import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { DisplayName, Email, IsoDateTime, Score, Uuid } from '../../src/domain/shared/codecs.ts';
import { Overview, Slug, Title, Year } from '../../src/domain/movie/values.ts';

/** Decodes a literal through its codec, so tests build values the way the system does. */
export const valid = <A>(codec: t.Type<A, unknown, unknown>, value: unknown): A => {
  const decoded = codec.decode(value);
  if (E.isLeft(decoded)) throw new Error(`test value ${JSON.stringify(value)} is not a valid ${codec.name}`);
  return decoded.right;
};

export const uuid = (): Uuid => valid(Uuid, randomUUID());
export const email = (value: string): Email => valid(Email, value);
export const displayName = (value: string): DisplayName => valid(DisplayName, value);
export const at = (value: string): IsoDateTime => valid(IsoDateTime, value);
export const score = (value: number): Score => valid(Score, value);
export const title = (value: string): Title => valid(Title, value);
export const year = (value: number): Year => valid(Year, value);
export const overview = (value: string): Overview => valid(Overview, value);
export const slug = (value: string): Slug => valid(Slug, value);
