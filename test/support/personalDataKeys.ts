import { randomBytes } from 'node:crypto';
import type { KeyState, PersonalDataKeys } from '../../src/infrastructure/personalData/keyStore.ts';

/** The personal-data keys in memory (a null key: destroyed), for specs of the sealing store without PostgreSQL. */
export const memoryKeys = (): PersonalDataKeys & { readonly rows: Map<string, Buffer | null> } => {
  const rows = new Map<string, Buffer | null>();
  return {
    rows,
    keyFor: (userId) => {
      if (!rows.has(userId)) rows.set(userId, randomBytes(32));
      return Promise.resolve(rows.get(userId) ?? undefined);
    },
    lookUp: (userIds) => {
      const known = new Map<string, KeyState>();
      for (const id of userIds) {
        const key = rows.get(id);
        if (key !== undefined) known.set(id, key === null ? { kind: 'forgotten' } : { kind: 'key', key });
      }
      return Promise.resolve(known);
    },
    destroy: (userId) => {
      const had = rows.get(userId) !== null;
      rows.set(userId, null);
      return Promise.resolve(had);
    },
  };
};
