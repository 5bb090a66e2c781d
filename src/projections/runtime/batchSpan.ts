import type { Attributes } from '@opentelemetry/api';
import type { Position, StoredEvent } from '../../infrastructure/eventStore/eventStore.ts';

/** What a projection batch's span says about it (its links to the requests come from eventSpans.ts). */
export const batchAttributes = (projection: string, events: readonly StoredEvent[], to: Position): Attributes => ({
  'fastflix.projection': projection,
  'fastflix.batch.events': events.length,
  'fastflix.batch.from': events[0]?.position.toString() ?? '',
  'fastflix.batch.to': to.toString(),
});
