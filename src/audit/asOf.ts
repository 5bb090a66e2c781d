import * as E from 'fp-ts/lib/Either.js';
import type { DomainEvent } from '../domain/events.ts';
import type { EventRegistry } from '../infrastructure/eventStore/eventRegistry.ts';
import type { EventStore } from '../infrastructure/eventStore/eventStore.ts';
import { categoryOf } from '../infrastructure/eventStore/streamName.ts';
import { foldableCategories, foldFor } from './deciders.ts';
import { atOrBefore, type LogPoint } from './point.ts';
import { streamOf, type StreamLookup } from './stream.ts';

// `audit as-of <stream> --at <position | time>`: the aggregate's state folded, with the domain's own
// `evolve`, from the stream's events up to that point, upcast as every command handler reads them.

export interface StateAsOf {
  /** The last event folded; null when the point is before the stream's first event. */
  readonly revision: bigint | null;
  readonly position: bigint | null;
  readonly eventsFolded: number;
  /** Of the stream's events, how many come after the point. */
  readonly eventsAfter: number;
  readonly state: unknown;
}

export type AsOfOutcome =
  | StreamLookup<StateAsOf>
  | { readonly outcome: 'no-decider'; readonly reason: string }
  | { readonly outcome: 'undecodable'; readonly reason: string };

export const stateAsOf = async (
  store: EventStore,
  registry: EventRegistry<DomainEvent>,
  raw: string,
  point: LogPoint,
): Promise<AsOfOutcome> => {
  const named = streamOf(raw);
  if (E.isLeft(named)) return { outcome: 'invalid', reason: named.left };
  const stream = named.right;
  const fold = foldFor(categoryOf(stream));
  if (fold === undefined) {
    return {
      outcome: 'no-decider',
      reason: `${categoryOf(stream)} streams have no aggregate to fold (there are: ${foldableCategories().join(', ')}); \`audit stream ${stream}\` shows its events`,
    };
  }
  const events = await store.readStream(stream);
  if (events.length === 0) return { outcome: 'unknown', stream };
  // A prefix of the stream: a state is always the fold of its first n events, never of a selection.
  let count = 0;
  for (const event of events) {
    if (!atOrBefore(point, event)) break;
    count++;
  }
  const folded = events.slice(0, count);
  const decoded: DomainEvent[] = [];
  for (const event of folded) {
    const result = registry.decode(event);
    if (E.isLeft(result)) return { outcome: 'undecodable', reason: `revision ${event.revision}: ${result.left.message}` };
    decoded.push(result.right);
  }
  const outcome = fold(decoded);
  if ('foreign' in outcome) {
    return { outcome: 'undecodable', reason: `a ${outcome.foreign.type} event does not belong to a ${categoryOf(stream)} stream` };
  }
  const last = folded[folded.length - 1];
  return {
    outcome: 'found',
    stream,
    revision: last?.revision ?? null,
    position: last?.position ?? null,
    eventsFolded: folded.length,
    eventsAfter: events.length - folded.length,
    state: outcome.state,
  };
};
