import type pg from 'pg';
import type { EventCounter } from './postgresLog.ts';
import { rebuildStateName, type Projection } from './projection.ts';

/** One row of `fastflix projections status`: a live projection, a rebuild in progress, or a state row no build knows. */
export interface ProjectionOverview {
  readonly name: string;
  readonly kind: 'live' | 'rebuild' | 'unknown';
  /** As recorded; null when the projection has not run yet. */
  readonly version: number | null;
  readonly codeVersion: number | null;
  readonly position: string | null;
  readonly status: 'running' | 'stopped' | 'not started';
  /** Events of its types after its checkpoint; null when not known. */
  readonly behind: number | null;
  readonly deadLetters: number;
  readonly error: string | null;
  readonly rebuildNeeded: boolean;
  readonly updatedAt: string | null;
}

interface StateRow {
  readonly name: string;
  readonly version: number;
  readonly position: string;
  readonly status: 'running' | 'stopped';
  readonly error: string | null;
  readonly updated_at: Date;
  readonly dead_letters: string;
}

export const projectionOverview = async (
  pool: pg.Pool,
  projections: readonly Projection[],
  countEvents: EventCounter,
): Promise<ProjectionOverview[]> => {
  const { rows } = await pool.query<StateRow>(
    `SELECT s.name, s.version, s.position, s.status, s.error, s.updated_at,
            (SELECT count(*) FROM projection_dead_letters d WHERE d.projection = s.name AND d.resolution IS NULL) AS dead_letters
       FROM projection_state s ORDER BY s.name`,
  );
  const byName = new Map(rows.map((row) => [row.name, row]));
  const known = new Set<string>();
  const overview: ProjectionOverview[] = [];
  const describe = async (
    row: StateRow | undefined,
    name: string,
    kind: 'live' | 'rebuild',
    projection: Projection,
  ): Promise<ProjectionOverview> => {
    known.add(name);
    const behind = await countEvents(projection.eventTypes, row === undefined ? -1n : BigInt(row.position));
    return {
      name,
      kind,
      version: row?.version ?? null,
      codeVersion: projection.version,
      position: row?.position ?? null,
      status: row?.status ?? 'not started',
      behind: behind ?? null,
      deadLetters: Number(row?.dead_letters ?? 0),
      error: row?.error ?? null,
      rebuildNeeded: kind === 'live' && row !== undefined && row.version !== projection.version,
      updatedAt: row?.updated_at.toISOString() ?? null,
    };
  };
  for (const projection of projections) {
    overview.push(await describe(byName.get(projection.name), projection.name, 'live', projection));
    const rebuild = byName.get(rebuildStateName(projection));
    if (rebuild !== undefined) overview.push(await describe(rebuild, rebuild.name, 'rebuild', projection));
  }
  for (const row of rows.filter((candidate) => !known.has(candidate.name))) {
    overview.push({
      name: row.name,
      kind: 'unknown',
      version: row.version,
      codeVersion: null,
      position: row.position,
      status: row.status,
      behind: null,
      deadLetters: Number(row.dead_letters),
      error: row.error,
      rebuildNeeded: false,
      updatedAt: row.updated_at.toISOString(),
    });
  }
  return overview;
};
