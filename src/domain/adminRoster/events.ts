import * as t from 'io-ts';
import { Uuid } from '../shared/codecs.ts';
import { defineEvent, type EventOf } from '../shared/eventDefinition.ts';

// One stream, `adminRoster-all`: who may be counted as an admin when deciding whether one may stop
// being one. Each account's role stays on its own stream; this stream is where every admin's leaving
// is decided, at one revision, so that two admins demoting each other at once cannot both succeed.

/** The roster's first event: the admins the log showed when it was opened (decide.ts says when). */
export const AdminRosterOpened = defineEvent('AdminRosterOpened', t.type({ admins: t.array(Uuid) }));
export const AdminJoined = defineEvent('AdminJoined', t.type({ userId: Uuid }));
export const AdminLeft = defineEvent('AdminLeft', t.type({ userId: Uuid }));

export const adminRosterEvents = [AdminRosterOpened, AdminJoined, AdminLeft] as const;
export type AdminRosterEvent = EventOf<(typeof adminRosterEvents)[number]>;
export const adminRosterEventTypes: ReadonlySet<string> = new Set(adminRosterEvents.map((definition) => definition.type));
