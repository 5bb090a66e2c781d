import * as t from 'io-ts';
import type { RouteDoc } from './openapi/routeDoc.ts';

// The OpenAPI descriptions of the operations routes (health.ts).

export const healthzDoc: RouteDoc = {
  summary: 'The process is up',
  tag: 'operations',
  answers: { 200: { description: 'Up', body: t.type({ status: t.literal('ok') }, 'Health'), example: { status: 'ok' } } },
};

export const readyzDoc: RouteDoc = {
  summary: 'The service can serve',
  description:
    'Every configured dependency and each projection, checked; 200 `degraded` naming the parts it serves without (a read model stopped at a parked event).',
  tag: 'operations',
  answers: {
    200: {
      description: 'Ready, or degraded',
      body: t.intersection(
        [
          t.type({ status: t.keyof({ ready: null, degraded: null }), checks: t.record(t.string, t.string) }),
          t.partial({ degraded: t.array(t.string) }),
        ],
        'Readiness',
      ),
      example: { status: 'ready', checks: { postgres: 'ok', projections: 'caught up' } },
    },
  },
  problems: { 503: 'A dependency the service cannot serve without fails (named in `detail`)' },
};

export const metricsDoc: RouteDoc = {
  summary: 'Metrics for Prometheus',
  tag: 'operations',
  answers: {
    200: {
      description: 'The text exposition format',
      type: 'text/plain; version=0.0.4',
      example: '# HELP http_requests_total Requests answered\n# TYPE http_requests_total counter\n',
    },
  },
};
