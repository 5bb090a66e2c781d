import type pg from 'pg';
import type { DomainEvent } from '../../src/domain/events.ts';
import type { RecordedEvent } from '../../src/infrastructure/eventStore/eventRegistry.ts';
import type { StreamName } from '../../src/infrastructure/eventStore/eventStore.ts';
import { createPool } from '../../src/infrastructure/postgres/pool.ts';
import { liveSchema, type Projection } from '../../src/projections/runtime/projection.ts';
import { runStatements } from '../../src/projections/runtime/statements.ts';
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
 * Given events, then rows: a projection applied, as the runtime does it (its statements in one
 * round trip and one transaction, its schema on the search path), to a database of its own.
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
      const batch = events.map((event) => ('position' in event ? event : recorded(event)));
      await runStatements(pool, liveSchema(projection), projection.statements(batch));
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
