import type pg from 'pg';
import type { DomainEvent, DomainEventType } from '../../domain/events.ts';
import type { RecordedEvent } from '../../infrastructure/eventStore/eventRegistry.ts';

/** The connection a projection writes through: inside the batch's transaction, its schema first on the search path. */
export type ProjectionDb = Pick<pg.PoolClient, 'query'>;

/**
 * A read model: which events it follows, the DDL of its tables, and how a batch of events changes
 * them. `apply` runs inside the transaction that also stores the checkpoint, so each event's effect
 * lands exactly once. Table names in `schema` and `apply` are unqualified: the runtime points the
 * search path at the live schema, or at the shadow one during a rebuild.
 */
export interface Projection {
  readonly name: string;
  /** Bump when the tables or their meaning change: the read model is then rebuilt from the log. */
  readonly version: number;
  readonly eventTypes: readonly DomainEventType[];
  /** CREATE statements for its tables and indexes, unqualified. */
  readonly schema: string;
  readonly apply: (events: readonly RecordedEvent<DomainEvent>[], db: ProjectionDb) => Promise<void>;
}

export const liveSchema = (projection: Pick<Projection, 'name'>): string => `rm_${projection.name}`;
export const rebuildSchema = (projection: Pick<Projection, 'name'>): string => `rm_${projection.name}__rebuild`;
export const rebuildStateName = (projection: Pick<Projection, 'name'>): string => `${projection.name}@rebuild`;
