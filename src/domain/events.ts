import { accountEvents } from './account/events.ts';
import { adminRosterEvents } from './adminRoster/events.ts';
import { inboxEvents } from './inbox/events.ts';
import { movieEvents } from './movie/events.ts';
import { reservationEvents } from './reservation/events.ts';
import { sessionEvents } from './session/events.ts';
import type { EventOf } from './shared/eventDefinition.ts';
import { viewingEvents } from './viewing/events.ts';

/** Every event type FastFlix records, with its codec and upcasters. */
export const domainEventDefinitions = [
  ...accountEvents,
  ...adminRosterEvents,
  ...sessionEvents,
  ...reservationEvents,
  ...movieEvents,
  ...viewingEvents,
  ...inboxEvents,
] as const;

export type DomainEvent = EventOf<(typeof domainEventDefinitions)[number]>;
export type DomainEventType = DomainEvent['type'];
