import type { StoredEvent } from '../infrastructure/eventStore/eventStore.ts';

// An event as the audit commands show it: every id an auditor follows, as JSON-friendly values
// (positions and revisions as decimal strings, as the HTTP contract writes positions).

export interface AuditEventView {
  readonly streamId: string;
  readonly revision: string;
  readonly position: string;
  readonly recordedAt: string;
  readonly occurredAt: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly eventId: string;
  readonly actorId: string | null;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly data: unknown;
  readonly hash: string;
}

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
