import * as t from 'io-ts';
import type { RouteDoc } from '../infrastructure/http/openapi/routeDoc.ts';
import { ActorQuery, StateQuery, StreamQuery, VerifyQuery } from './httpParams.ts';
import { AuditEventView } from './view.ts';

// The OpenAPI descriptions of the audit routes (routes.ts), each route carrying its own.

const EventPage = t.type({ items: t.array(AuditEventView), nextCursor: t.union([t.string, t.null]) }, 'AuditEventPage');

const exampleEvent: t.TypeOf<typeof AuditEventView> = {
  streamId: 'movie-0b6f8a52-3c1e-4a8e-9a53-2f1c9d5e7b10',
  revision: '0',
  position: '1042',
  recordedAt: '2024-02-29T20:15:00.012Z',
  occurredAt: '2024-02-29T20:15:00.000Z',
  type: 'MovieAdded',
  schemaVersion: 1,
  eventId: '3f1e2d4c-5b6a-4978-8695-a4b3c2d1e0f9',
  actorId: '7d3e2f10-58a4-4c3b-b1e9-6a0c2d4f8e21',
  correlationId: '9c8b7a65-4321-4fed-8cba-987654321000',
  causationId: null,
  data: { movieId: '0b6f8a52-3c1e-4a8e-9a53-2f1c9d5e7b10', title: 'Heat' },
  hash: 'b5d4045c3f466fa91fe2cc6abe79232a1a57cdf104f7a26e716e0a1e2789df78',
};

const shared = { tag: 'audit', auth: 'admin' } as const;
const pointText = 'a position or an ISO 8601 time';

export const streamDoc: RouteDoc = {
  ...shared,
  summary: "A stream's events, in order",
  query: StreamQuery,
  answers: { 200: { description: 'A page of events', body: EventPage, example: { items: [exampleEvent], nextCursor: null } } },
  problems: { 400: 'Not a stream name, or a parameter is invalid', 404: 'There is no such stream' },
};

export const stateDoc: RouteDoc = {
  ...shared,
  summary: "A stream's state as of a point of the log",
  description: `\`at\`: ${pointText}; the stream's events up to it folded by its decider.`,
  query: StateQuery,
  queryExample: { at: '2024-02-29T20:15:00Z' },
  answers: {
    200: {
      description: 'The state as of `at`',
      body: t.type(
        {
          stream: t.string,
          at: t.string,
          revision: t.union([t.string, t.null]),
          position: t.union([t.string, t.null]),
          eventsFolded: t.number,
          eventsAfter: t.number,
          state: t.unknown,
        },
        'AuditState',
      ),
      example: {
        stream: exampleEvent.streamId,
        at: 'position 1042',
        revision: '0',
        position: '1042',
        eventsFolded: 1,
        eventsAfter: 0,
        state: { status: 'active' },
      },
    },
  },
  problems: { 400: 'Not a stream name, no `at`, or a stream no decider folds', 404: 'There is no such stream' },
};

export const actorDoc: RouteDoc = {
  ...shared,
  summary: 'The events a user caused, in log order',
  description: `\`from\`, \`to\`: ${pointText}.`,
  query: ActorQuery,
  answers: { 200: { description: 'A page of events', body: EventPage, example: { items: [exampleEvent], nextCursor: null } } },
  problems: { 404: 'The log knows no such user', 501: 'The log is in EventStoreDB: this reads the PostgreSQL event tables' },
};

export const verifyDoc: RouteDoc = {
  ...shared,
  summary: "Verify the log's hash chains",
  query: VerifyQuery,
  answers: {
    200: {
      description: 'A summary: `intact`, counts and the first 20 breaks',
      body: t.type(
        {
          intact: t.boolean,
          events: t.number,
          streams: t.number,
          lastPosition: t.union([t.string, t.null]),
          breakCount: t.number,
          breaks: t.array(
            t.type({ kind: t.string, streamId: t.string, revision: t.string, position: t.union([t.string, t.null]), detail: t.string }),
          ),
        },
        'AuditVerification',
      ),
      example: { intact: true, events: 1042, streams: 97, lastPosition: '1042', breakCount: 0, breaks: [] },
    },
  },
  problems: { 404: 'There is no such stream', 501: 'The log is in EventStoreDB: this reads the PostgreSQL event tables' },
};
