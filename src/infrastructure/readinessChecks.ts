import type { MongoClient } from 'mongodb';
import nodemailer from 'nodemailer';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { EventStore } from './eventStore/eventStore.ts';
import type { ReadinessCheck } from './http/health.ts';
import { projectionStatuses } from '../projections/runtime/status.ts';

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

export const redisCheck = (redis: Redis): ReadinessCheck => ({
  name: 'redis',
  check: async () => {
    if ((await redis.ping()) !== 'PONG') throw new Error('unexpected answer to PING');
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
 * Projections: ready unless one is stopped at a parked event; the detail says how far behind each is.
 * (Lag alone does not make the service unready: queries wait for X-Min-Position instead.)
 */
export const projectionsCheck = (pool: pg.Pool, store: EventStore): ReadinessCheck => ({
  name: 'projections',
  check: async () => {
    const statuses = await projectionStatuses(pool, store);
    const stopped = statuses.filter((status) => status.status === 'stopped');
    if (stopped.length > 0) throw new Error(`stopped at a parked event: ${stopped.map((status) => status.name).join(', ')}`);
    return statuses.map((status) => `${status.name} ${status.behind} behind`).join(', ') || 'none yet';
  },
});
