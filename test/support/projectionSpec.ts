import type pg from 'pg';
import type { DomainEvent } from '../../src/domain/events.ts';
import type { RecordedEvent } from '../../src/infrastructure/eventStore/eventRegistry.ts';
import type { StreamName } from '../../src/infrastructure/eventStore/eventStore.ts';
import { createPool } from '../../src/infrastructure/postgres/pool.ts';
import { liveSchema, type Projection } from '../../src/projections/runtime/projection.ts';
import { ensureProjectionSchema } from '../../src/projections/runtime/schema.ts';
import { createTestDatabase, type TestDatabase } from './postgresServer.ts';

let nextPosition = 1n;

/** A domain event as a projection receives it; time and position made up unless given. */
export const recorded = (
  event: DomainEvent,
  options: { readonly occurredAt?: string; readonly position?: bigint } = {},
): RecordedEvent<DomainEvent> => {
  const position = options.position ?? nextPosition++;
  return {
    ...event,
    eventId: crypto.randomUUID(),
    storedSchemaVersion: 1,
    metadata: { occurredAt: options.occurredAt ?? new Date().toISOString(), actorId: null, correlationId: 'spec', causationId: null },
    streamName: 'spec-1' as StreamName,
    revision: 0n,
    position,
    hash: '',
    recordedAt: new Date(),
  };
};

/**
 * Given events, then rows: a projection applied, as the runtime does it (one transaction, its schema
 * on the search path), to a database of its own.
 */
export const projectionSpec = (projection: Projection) => {
  let database: TestDatabase;
  let pool: pg.Pool;
  before(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, 4, 'spec');
    await ensureProjectionSchema(pool, projection, { stateName: projection.name, schema: liveSchema(projection) });
  });
  after(async () => {
    await pool.end();
    await database.drop();
  });
  return {
    /** Applies the events as one batch. */
    given: async (...events: readonly DomainEvent[] | readonly RecordedEvent<DomainEvent>[]): Promise<void> => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL search_path TO ${liveSchema(projection)}, public`);
        await projection.apply(
          events.map((event) => ('position' in event ? event : recorded(event))),
          client,
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    /** Rows of a query against the projection's tables (unqualified names). */
    rows: async <Row extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<Row[]> => {
      const client = await pool.connect();
      try {
        await client.query(`SET search_path TO ${liveSchema(projection)}, public`);
        return (await client.query<Row>(text, values)).rows;
      } finally {
        client.release();
      }
    },
  };
};
