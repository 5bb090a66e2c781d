// A point in the log as an auditor names it: a global position (digits) or a moment (ISO 8601). A
// moment means what the service had recorded by then (`recorded_at`), not the time an event says it
// happened (`occurredAt`, which imported history sets in the past).

export type LogPoint = { readonly kind: 'position'; readonly position: bigint } | { readonly kind: 'time'; readonly time: Date };

/** Positions are PostgreSQL bigints. */
export const maxPosition = 9223372036854775807n;

const isoTime = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The point, or a sentence saying why the text is not one. */
export const parseLogPoint = (text: string): LogPoint | string => {
  const trimmed = text.trim();
  if (/^\d{1,19}$/.test(trimmed) && BigInt(trimmed) <= maxPosition) return { kind: 'position', position: BigInt(trimmed) };
  if (isoTime.test(trimmed)) {
    const time = new Date(trimmed);
    if (!Number.isNaN(time.getTime())) return { kind: 'time', time };
  }
  return `"${text}" is neither a position (digits) nor an ISO 8601 time such as 2026-12-04T17:00:00Z`;
};

/** Whether an event recorded at `position` and `recordedAt` is at or before the point. */
export const atOrBefore = (point: LogPoint, event: { readonly position: bigint; readonly recordedAt: Date }): boolean =>
  point.kind === 'position' ? event.position <= point.position : event.recordedAt.getTime() <= point.time.getTime();

export const describePoint = (point: LogPoint): string =>
  point.kind === 'position' ? `position ${point.position}` : point.time.toISOString();
