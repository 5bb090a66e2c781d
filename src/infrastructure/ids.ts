import { randomUUID } from 'node:crypto';
import type { Uuid } from '../domain/shared/codecs.ts';

/** A new random id; `randomUUID` always returns a well-formed lower-case UUID. */
export const randomId = (): Uuid => randomUUID() as Uuid;
