import type { MongoClient } from 'mongodb';
import nodemailer from 'nodemailer';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { EventStore } from './eventStore/eventStore.ts';
import { degraded, type ReadinessCheck } from './http/health.ts';
import { projectionStatuses, type ProjectionStatus } from '../projections/runtime/status.ts';

// One readiness check per configured dependency; `/readyz` names the ones that fail.

export const postgresCheck = (pool: pg.Pool): ReadinessCheck => ({
  name: 'postgres',
  check: async () => {
    await pool.query('SELECT 1');
  },
});

export const eventStoreCheck = (store: EventStore, kind: string): ReadinessCheck => ({
  name: `eventstore (${kind})`,
  check: () => store.ping(),
});

/**
 * Redis down is degraded, not failing: rate limits go on counting in each process's memory and the
 * live feed reaches this process's sockets, so the instance still serves every request. Failing
 * readiness here would make a load balancer drop every instance at once for an outage they survive.
 */
export const redisCheck = (redis: Redis): ReadinessCheck => ({
  name: 'redis',
  check: async () => {
    const answer = await redis.ping().catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
    if (answer === 'PONG') return 'ok';
    return degraded(`Redis cannot be reached (${answer}): rate limits count per process, the live feed reaches only this process`, [
      'redis',
    ]);
  },
});

export const mongodbCheck = (client: MongoClient): ReadinessCheck => ({
  name: 'mongodb',
  check: async () => {
    await client.db().command({ ping: 1 });
  },
});

export const smtpCheck = (url: URL): ReadinessCheck => {
  const transport = nodemailer.createTransport(url.href);
  return { name: 'smtp', check: () => transport.verify() };
};

/**
 * Projections: a read model stopped at a parked event degrades the service, it does not make it
 * unready: every other read model, and every command, still serves, and a query that waits for the
 * stopped one (X-Min-Position) answers 503 by itself. A rebuild parked in its shadow schema is named
 * but degrades nothing (the live read model serves). Lag alone is only reported: queries wait for it.
 * A failure to read the projections' state (PostgreSQL down) still fails the check.
 */
export const projectionsCheck = (pool: pg.Pool, store: EventStore): ReadinessCheck => ({
  name: 'projections',
  check: async () => {
    const statuses = await projectionStatuses(pool, store);
    const describe = (status: ProjectionStatus): string =>
      status.status === 'stopped'
        ? `${status.name} stopped at a parked event after position ${status.position}`
        : `${status.name} ${status.behind} behind`;
    const detail = statuses.map(describe).join(', ') || 'none yet';
    const parts = statuses.filter(({ name, status }) => status === 'stopped' && !isRebuild(name)).map(({ name }) => `projection ${name}`);
    return parts.length > 0 ? degraded(detail, parts) : detail;
  },
});

const isRebuild = (stateName: string): boolean => stateName.includes('@');
