import { Counter, Gauge, Registry } from 'prom-client';

/** The reactor runtime's metrics, in whichever registry the thread that runs the reactors owns. */
export interface ReactorMetrics {
  readonly position: Gauge<'reactor'>;
  /** Positions between the head of the log and the reactor's checkpoint (as the projections' lag). */
  readonly lagEvents: Gauge<'reactor'>;
  /** While behind the head, how long ago the last event it passed was recorded (0 when caught up), as the projections'. */
  readonly lagSeconds: Gauge<'reactor'>;
  readonly handled: Counter<'reactor'>;
  /** Bulk-load events passed over. */
  readonly skippedBulk: Counter<'reactor'>;
  /** Attempts that threw (each retry counts). */
  readonly failures: Counter<'reactor'>;
  /** Events parked after their retries and not yet resolved. */
  readonly parked: Gauge<'reactor'>;
}

export const createReactorMetrics = (registry = new Registry()): ReactorMetrics => ({
  position: new Gauge({
    name: 'fastflix_reactor_position',
    help: 'Global position of the last event the reactor handled or passed over',
    labelNames: ['reactor'] as const,
    registers: [registry],
  }),
  lagEvents: new Gauge({
    name: 'fastflix_reactor_lag_events',
    help: 'Positions between the head of the log and the reactor checkpoint',
    labelNames: ['reactor'] as const,
    registers: [registry],
  }),
  lagSeconds: new Gauge({
    name: 'fastflix_reactor_lag_seconds',
    help: 'While the reactor is behind the head of the log, seconds since the last event it passed was recorded (0 when caught up)',
    labelNames: ['reactor'] as const,
    registers: [registry],
  }),
  handled: new Counter({
    name: 'fastflix_reactor_events_handled_total',
    help: 'Events the reactor handled in this process',
    labelNames: ['reactor'] as const,
    registers: [registry],
  }),
  skippedBulk: new Counter({
    name: 'fastflix_reactor_bulk_events_skipped_total',
    help: 'Events of bulk loads (import, demo) the reactor passed over',
    labelNames: ['reactor'] as const,
    registers: [registry],
  }),
  failures: new Counter({
    name: 'fastflix_reactor_failures_total',
    help: 'Attempts at an event that threw, retries included',
    labelNames: ['reactor'] as const,
    registers: [registry],
  }),
  parked: new Gauge({
    name: 'fastflix_reactor_parked_events',
    help: 'Events the reactor parked after its retries, not yet resolved',
    labelNames: ['reactor'] as const,
    registers: [registry],
  }),
});
