import type { DomainEvent, DomainEventType } from '../../domain/events.ts';
import type { RecordedEvent } from '../../infrastructure/eventStore/eventRegistry.ts';
import type { Statement } from './statements.ts';

/**
 * A read model: which events it follows, the DDL of its tables, and how a batch of events changes
 * them. `statements` is a pure function of the batch: the runtime runs what it returns in the
 * transaction that also moves the checkpoint, in one round trip (statements.ts), so each event's
 * effect lands exactly once. Table names in `schema` and the statements are unqualified: the runtime
 * points the search path at the live schema, or at the shadow one during a rebuild.
 */
export interface Projection {
  readonly name: string;
  /** Bump when the tables or their meaning change: the read model is then rebuilt from the log. */
  readonly version: number;
  readonly eventTypes: readonly DomainEventType[];
  /** CREATE statements for its tables and indexes, unqualified. */
  readonly schema: string;
  /**
   * What the batch changes, in order; never read back (a batch is written blind, in one go). Rows
   * are found by their unique keys only: a rebuild makes every other index after its catch-up
   * (deferredIndexes.ts).
   */
  readonly statements: (events: readonly RecordedEvent<DomainEvent>[]) => readonly Statement[];
}

export const liveSchema = (projection: Pick<Projection, 'name'>): string => `rm_${projection.name}`;
export const rebuildSchema = (projection: Pick<Projection, 'name'>): string => `rm_${projection.name}__rebuild`;
export const rebuildStateName = (projection: Pick<Projection, 'name'>): string => `${projection.name}@rebuild`;
