import Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import type pg from 'pg';
import type { DomainEvent } from '../domain/events.ts';
import type { Guards } from '../infrastructure/auth/guards.ts';
import type { EventRegistry } from '../infrastructure/eventStore/eventRegistry.ts';
import type { EventStore } from '../infrastructure/eventStore/eventStore.ts';
import { badRequest, HttpProblem, invalidFields, notFound } from '../infrastructure/http/problem.ts';
import { documented } from '../infrastructure/http/openapi/routeDoc.ts';
import { actorEvents } from './actor.ts';
import { actorDoc, stateDoc, streamDoc, verifyDoc } from './docs.ts';
import { stateAsOf } from './asOf.ts';
import type { ChainBreak } from './chainCheck.ts';
import {
  ActorQuery,
  decodeCursor,
  decodeQuery,
  defaultLimit,
  encodeCursor,
  pointParam,
  idParam,
  StateQuery,
  StreamQuery,
  VerifyQuery,
} from './httpParams.ts';
import { describePoint } from './point.ts';
import { streamEvents, streamOf } from './stream.ts';
import { verifyLog } from './verify.ts';
import { viewOf } from './view.ts';

// The audit commands over HTTP, for admins: a stream, a state as of a point, an actor's events (paged
// `{ items, nextCursor }` like every list) and a verification summary. Actor and verify read the
// PostgreSQL event tables; with EventStoreDB they answer 501.

export interface AuditRouteDependencies {
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly registry: EventRegistry<DomainEvent>;
  readonly guards: Guards;
  /** False when the log is in EventStoreDB. */
  readonly postgresLog: boolean;
}

const shownBreaks = 20;

const breakView = (found: ChainBreak) => ({ ...found, revision: found.revision.toString(), position: found.position?.toString() ?? null });

export const auditRoutes = ({ pool, store, registry, guards, postgresLog }: AuditRouteDependencies): Router => {
  const router = new Router({ prefix: '/admin/audit' });
  router.use(guards.requireRole('admin'));
  const needsPostgres = (what: string): void => {
    if (!postgresLog)
      throw new HttpProblem(501, 'Not implemented', `${what} reads the PostgreSQL event tables; this log is in EventStoreDB`);
  };

  router.get('/streams/:id', documented(streamDoc), async (ctx) => {
    const { limit = defaultLimit, cursor } = decodeQuery(StreamQuery, ctx);
    const found = await streamEvents(store, ctx.params.id ?? '', { fromRevision: decodeCursor(cursor), limit });
    if (found.outcome === 'invalid') throw badRequest(`Not a stream name: ${found.reason}`);
    if (found.outcome === 'unknown') throw notFound(`There is no stream ${found.stream}`);
    ctx.body = { items: found.events.map(viewOf), nextCursor: found.nextRevision === null ? null : encodeCursor(found.nextRevision) };
  });

  router.get('/streams/:id/state', documented(stateDoc), async (ctx) => {
    const at = pointParam('at', decodeQuery(StateQuery, ctx).at);
    if (at === undefined) throw invalidFields([{ path: 'at', message: 'is required: a position or an ISO 8601 time' }]);
    const found = await stateAsOf(store, registry, ctx.params.id ?? '', at);
    switch (found.outcome) {
      case 'invalid':
        throw badRequest(`Not a stream name: ${found.reason}`);
      case 'unknown':
        throw notFound(`There is no stream ${found.stream}`);
      case 'no-decider':
        throw badRequest(found.reason);
      case 'undecodable':
        throw new HttpProblem(500, 'Internal server error', found.reason);
      case 'found':
        ctx.body = {
          stream: found.stream,
          at: describePoint(at),
          revision: found.revision?.toString() ?? null,
          position: found.position?.toString() ?? null,
          eventsFolded: found.eventsFolded,
          eventsAfter: found.eventsAfter,
          state: found.state,
        };
    }
  });

  router.get('/actors/:userId', documented(actorDoc), async (ctx) => {
    needsPostgres('An actor lookup');
    const query = decodeQuery(ActorQuery, ctx);
    const limit = query.limit ?? defaultLimit;
    const found = await actorEvents(pool, idParam('userId', ctx.params.userId), {
      from: pointParam('from', query.from),
      to: pointParam('to', query.to),
      after: decodeCursor(query.cursor),
      limit,
    });
    if (found.outcome === 'unknown') throw notFound('The log knows no such user: no account stream and no event caused by them');
    ctx.body = { items: found.events.map(viewOf), nextCursor: found.nextAfter === null ? null : encodeCursor(found.nextAfter) };
  });

  router.get('/verify', documented(verifyDoc), async (ctx) => {
    needsPostgres('Verification');
    const { stream } = decodeQuery(VerifyQuery, ctx);
    if (stream !== undefined && E.isLeft(streamOf(stream))) throw invalidFields([{ path: 'stream', message: 'is not a stream name' }]);
    const report = await verifyLog(pool, stream === undefined ? {} : { stream });
    if (report.outcome === 'unknown') throw notFound(`There is no stream ${stream}`);
    ctx.body = {
      intact: report.breaks.length === 0,
      events: report.events,
      streams: report.streams,
      lastPosition: report.lastPosition?.toString() ?? null,
      breakCount: report.breaks.length,
      // The first breaks by position; `fastflix audit verify --json` lists every one.
      breaks: report.breaks.slice(0, shownBreaks).map(breakView),
    };
  });

  return router;
};
