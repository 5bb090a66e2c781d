import { v5 as uuidv5 } from 'uuid';
import type { Uuid } from '../../domain/shared/codecs.ts';

// Ids derived from MovieLens's own, so that importing the same data twice names the same users,
// movies and events: the second run's appends are recognised as already done and add nothing.

const namespace = '4e1c3b52-8c7a-4f4e-9d6b-2a1f0c9e7d35';

/** A v5 UUID (always a valid lower-case UUID) for a name. */
export const importId = (name: string): Uuid => uuidv5(name, namespace) as Uuid;

export const movieIdFor = (movieLensId: number): Uuid => importId(`movielens movie ${movieLensId}`);
export const userIdFor = (movieLensId: number): Uuid => importId(`movielens user ${movieLensId}`);
export const eventIdsFor =
  (name: string) =>
  (count: number): readonly string[] =>
    Array.from({ length: count }, (_, index) => importId(`movielens event ${name} ${index}`));
