import * as t from 'io-ts';
import type { StoredEvent } from '../infrastructure/eventStore/eventStore.ts';

// An event as the audit commands show it: every id an auditor follows, as JSON-friendly values
// (positions and revisions as decimal strings, as the HTTP contract writes positions).

export const AuditEventView = t.type(
  {
    streamId: t.string,
    revision: t.string,
    position: t.string,
    recordedAt: t.string,
    occurredAt: t.string,
    type: t.string,
    schemaVersion: t.number,
    eventId: t.string,
    actorId: t.union([t.string, t.null]),
    correlationId: t.string,
    causationId: t.union([t.string, t.null]),
    data: t.unknown,
    hash: t.string,
  },
  'AuditEvent',
);
export type AuditEventView = t.TypeOf<typeof AuditEventView>;

export const viewOf = (event: StoredEvent): AuditEventView => ({
  streamId: event.streamName,
  revision: event.revision.toString(),
  position: event.position.toString(),
  recordedAt: event.recordedAt.toISOString(),
  occurredAt: event.metadata.occurredAt,
  type: event.type,
  schemaVersion: event.schemaVersion,
  eventId: event.eventId,
  actorId: event.metadata.actorId,
  correlationId: event.metadata.correlationId,
  causationId: event.metadata.causationId,
  data: event.data,
  hash: event.hash,
});

/** A plain-text table, columns padded to their widest cell. */
export const table = (header: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
};

/** The events as a table: what an auditor reads down a stream, an actor's history or a trace. */
export const eventsTable = (events: readonly AuditEventView[], withStream: boolean): string =>
  table(
    [...(withStream ? ['stream'] : []), 'revision', 'position', 'recorded at', 'type', 'actor', 'correlation', 'causation'],
    events.map((event) => [
      ...(withStream ? [event.streamId] : []),
      event.revision,
      event.position,
      event.recordedAt,
      event.type,
      event.actorId ?? '-',
      event.correlationId,
      event.causationId ?? '-',
    ]),
  );
