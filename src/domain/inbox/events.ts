import * as t from 'io-ts';
import { Uuid } from '../shared/codecs.ts';
import { defineEvent, type EventOf } from '../shared/eventDefinition.ts';

// A user's inbox lives in the notifications read model, which builds its notifications from other
// events; what the user does with them must be an event too, or a rebuild would forget it.

/** The user read a notification; in the stream `inbox-<userId>`. The first read's time is the one kept. */
export const NotificationRead = defineEvent('NotificationRead', t.type({ userId: Uuid, notificationId: Uuid }));

export const inboxEvents = [NotificationRead] as const;
export type InboxEvent = EventOf<(typeof inboxEvents)[number]>;
