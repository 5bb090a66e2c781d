import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The HTTP side's Prometheus registry: one per process, made by the composition root, never global. */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  /** scrypt computations by what they were for: each costs tens of milliseconds of CPU and 32 MiB. */
  readonly passwordHashes: Counter<'operation'>;
  /** What `/metrics` serves: this registry, then each exposition added (a role thread's metrics). */
  readonly exposition: () => Promise<string>;
  readonly addExposition: (extra: () => Promise<string>) => void;
}

/** The projector runtime's metrics, in whichever registry the thread that runs the projectors owns. */
export interface ProjectionMetrics {
  /** Events between the head of the log and a projection's checkpoint. */
  readonly projectionLagEvents: Gauge<'projection'>;
  /** While a projection is behind, how long ago the last event it applied was recorded (0 when caught up). */
  readonly projectionLagSeconds: Gauge<'projection'>;
  readonly projectionEventsApplied: Counter<'projection'>;
  /** 1 while a projection is stopped at a parked (dead-letter) event. */
  readonly projectionStopped: Gauge<'projection'>;
}

export const createMetrics = (): Metrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'fastflix_' });
  const httpRequestDuration = new Histogram({
    name: 'fastflix_http_request_duration_seconds',
    help: 'HTTP request duration by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const passwordHashes = new Counter({
    name: 'fastflix_password_hashes_total',
    help: 'scrypt computations by operation (hash a new password, verify one, verify a decoy for an unknown account)',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  const extras: (() => Promise<string>)[] = [];
  return {
    registry,
    httpRequestDuration,
    passwordHashes,
    exposition: async () => [await registry.metrics(), ...(await Promise.all(extras.map((extra) => extra())))].join('\n'),
    addExposition: (extra) => extras.push(extra),
  };
};

export const createProjectionMetrics = (registry = new Registry()): ProjectionMetrics => ({
  projectionLagEvents: new Gauge({
    name: 'fastflix_projection_lag_events',
    help: 'Events appended after the checkpoint of the projection',
    labelNames: ['projection'] as const,
    registers: [registry],
  }),
  projectionLagSeconds: new Gauge({
    name: 'fastflix_projection_lag_seconds',
    help: 'While the projection is behind the head of the log, seconds since the last event it applied was recorded (0 when caught up)',
    labelNames: ['projection'] as const,
    registers: [registry],
  }),
  projectionEventsApplied: new Counter({
    name: 'fastflix_projection_events_applied_total',
    help: 'Events applied by the projection in this process',
    labelNames: ['projection'] as const,
    registers: [registry],
  }),
  projectionStopped: new Gauge({
    name: 'fastflix_projection_stopped',
    help: '1 while the projection is stopped at a dead-letter event',
    labelNames: ['projection'] as const,
    registers: [registry],
  }),
});
