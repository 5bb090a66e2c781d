import type pg from 'pg';
import type { Position } from '../../infrastructure/eventStore/eventStore.ts';

/** The movie ids of a user's ten best recommendations, in order, as `GET /me/recommendations?limit=10` answers. */
export type TopTen = (userId: string) => Promise<readonly string[]>;

/**
 * Records `movieIds` as the user's top ten computed after `position`, unless something newer was
 * recorded; true when the list differs from the one recorded before (a user with no record had an
 * empty list), and so is news to push. Call it inside a transaction: the row is locked while compared.
 */
export const recordIfChanged = async (
  tx: pg.PoolClient,
  userId: string,
  movieIds: readonly string[],
  position: Position,
): Promise<boolean> => {
  const { rows } = await tx.query<{ movie_ids: string[]; position: string }>(
    'SELECT movie_ids, position::text AS position FROM reactor_top_ten WHERE user_id = $1 FOR UPDATE',
    [userId],
  );
  const recorded = rows[0];
  if (recorded !== undefined && BigInt(recorded.position) > position) return false;
  await tx.query(
    `INSERT INTO reactor_top_ten (user_id, movie_ids, position) VALUES ($1, $2, $3)
     ON CONFLICT (user_id) DO UPDATE SET movie_ids = excluded.movie_ids, position = excluded.position, updated_at = now()
      WHERE reactor_top_ten.position <= excluded.position`,
    [userId, movieIds, position.toString()],
  );
  const before = recorded?.movie_ids ?? [];
  return before.length !== movieIds.length || before.some((id, n) => id !== movieIds[n]);
};
