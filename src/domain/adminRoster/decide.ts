import * as E from 'fp-ts/lib/Either.js';
import type { Uuid } from '../shared/codecs.ts';
import type { Decider } from '../shared/decider.ts';
import type { AdminRosterEvent } from './events.ts';

// The admin roster. Its one rule: it never loses its last member. It holds only admins (an account
// joins after its role became admin, and leaves before its role stops being admin), so while it has a
// member there is an admin: a roster that has fallen behind an account's stream counts too few admins,
// never too many, and at worst refuses a demotion that could have gone ahead.
//
// The roster is opened from the log by the first command that needs it, with the admins the log
// showed then (`knownAdmins`); after that it is the only thing read.

// state

export type AdminRosterState = { readonly status: 'unopened' } | { readonly status: 'open'; readonly admins: ReadonlySet<Uuid> };

export const initialAdminRosterState = (): AdminRosterState => ({ status: 'unopened' });

export const evolveAdminRoster = (state: AdminRosterState, event: AdminRosterEvent): AdminRosterState => {
  const admins = state.status === 'open' ? state.admins : new Set<Uuid>();
  switch (event.type) {
    case 'AdminRosterOpened':
      return { status: 'open', admins: new Set(event.data.admins) };
    case 'AdminJoined':
      return { status: 'open', admins: new Set([...admins, event.data.userId]) };
    case 'AdminLeft':
      return { status: 'open', admins: new Set([...admins].filter((id) => id !== event.data.userId)) };
  }
};

// commands

export type AdminRosterCommand =
  /** `knownAdmins`: the admins the log shows, read only when the roster is not open yet. */
  | { readonly type: 'JoinAdmins'; readonly userId: Uuid; readonly knownAdmins: readonly Uuid[] }
  | { readonly type: 'LeaveAdmins'; readonly userId: Uuid; readonly knownAdmins: readonly Uuid[] };

export type AdminRosterError = { readonly type: 'LastAdmin' };

/**
 * Whether `userId`, an admin now, is the last one: the roster counts no other. Then that account must
 * keep its role (a demotion, and erasing the account, are refused). The account itself need not be on
 * the roster (it may have become admin just before a crash kept it from joining): what counts is that
 * nobody else is. One function for every command that would take an admin away, so that all refuse alike.
 */
export const isLastAdmin = (admins: ReadonlySet<Uuid>, userId: Uuid): boolean => ![...admins].some((admin) => admin !== userId);

const opened = (state: AdminRosterState, knownAdmins: readonly Uuid[]): { state: AdminRosterState; events: AdminRosterEvent[] } =>
  state.status === 'open'
    ? { state, events: [] }
    : {
        state: { status: 'open', admins: new Set(knownAdmins) },
        events: [{ type: 'AdminRosterOpened', data: { admins: [...knownAdmins] } }],
      };

export const decideAdminRoster = (
  command: AdminRosterCommand,
  current: AdminRosterState,
): E.Either<AdminRosterError, readonly AdminRosterEvent[]> => {
  const { state, events } = opened(current, command.knownAdmins);
  const admins = state.status === 'open' ? state.admins : new Set<Uuid>();
  switch (command.type) {
    case 'JoinAdmins':
      return E.right(admins.has(command.userId) ? events : [...events, { type: 'AdminJoined', data: { userId: command.userId } }]);
    case 'LeaveAdmins':
      if (isLastAdmin(admins, command.userId)) return E.left({ type: 'LastAdmin' });
      return E.right(admins.has(command.userId) ? [...events, { type: 'AdminLeft', data: { userId: command.userId } }] : events);
    default: {
      const _never: never = command;
      return _never;
    }
  }
};

export const adminRosterDecider: Decider<AdminRosterCommand, AdminRosterEvent, AdminRosterState, AdminRosterError> = {
  decide: decideAdminRoster,
  evolve: evolveAdminRoster,
  initialState: initialAdminRosterState,
};
