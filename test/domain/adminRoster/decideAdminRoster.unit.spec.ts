import { expect } from 'chai';
import { adminRosterDecider, isLastAdmin } from '../../../src/domain/adminRoster/decide.ts';
import type { AdminRosterEvent } from '../../../src/domain/adminRoster/events.ts';
import { deciderSpec } from '../../support/deciderSpec.ts';
import { uuid } from '../../support/values.ts';

const spec = deciderSpec(adminRosterDecider);
const [ada, bob, cy] = [uuid(), uuid(), uuid()];
const opened = (...admins: ReturnType<typeof uuid>[]): AdminRosterEvent => ({ type: 'AdminRosterOpened', data: { admins } });

describe('the admin roster', () => {
  describe('when an admin leaves', () => {
    it('lets one of two go', () =>
      spec
        .given([opened(ada, bob)])
        .when({ type: 'LeaveAdmins', userId: bob, knownAdmins: [] })
        .then([{ type: 'AdminLeft', data: { userId: bob } }]));

    it('refuses the last one', () =>
      spec
        .given([opened(ada, bob), { type: 'AdminLeft', data: { userId: bob } }])
        .when({ type: 'LeaveAdmins', userId: ada, knownAdmins: [] })
        .thenFails({ type: 'LastAdmin' }));

    it('refuses an admin missing from the roster when nobody else is on it', () =>
      spec.given([opened()]).when({ type: 'LeaveAdmins', userId: ada, knownAdmins: [] }).thenFails({ type: 'LastAdmin' }));

    it('lets an admin missing from the roster go when another is on it, recording nothing', () =>
      spec
        .given([opened(bob)])
        .when({ type: 'LeaveAdmins', userId: ada, knownAdmins: [] })
        .thenNothingHappens());

    it('opens a roster not yet opened with the admins the log shows, then decides on it', () => {
      spec
        .given([])
        .when({ type: 'LeaveAdmins', userId: ada, knownAdmins: [ada, bob] })
        .then([opened(ada, bob), { type: 'AdminLeft', data: { userId: ada } }]);
      spec
        .given([])
        .when({ type: 'LeaveAdmins', userId: ada, knownAdmins: [ada] })
        .thenFails({ type: 'LastAdmin' });
    });

    it('ignores the admins the log shows once the roster is open', () =>
      spec
        .given([opened(ada)])
        .when({ type: 'LeaveAdmins', userId: ada, knownAdmins: [ada, bob] })
        .thenFails({ type: 'LastAdmin' }));
  });

  describe('when an admin joins', () => {
    it('adds a newcomer, and nothing for a member', () => {
      spec
        .given([opened(ada)])
        .when({ type: 'JoinAdmins', userId: cy, knownAdmins: [] })
        .then([{ type: 'AdminJoined', data: { userId: cy } }]);
      spec
        .given([opened(ada)])
        .when({ type: 'JoinAdmins', userId: ada, knownAdmins: [] })
        .thenNothingHappens();
    });

    it('counts one who joined after leaving', () =>
      spec
        .given([opened(ada, bob), { type: 'AdminLeft', data: { userId: bob } }, { type: 'AdminJoined', data: { userId: bob } }])
        .when({ type: 'LeaveAdmins', userId: ada, knownAdmins: [] })
        .then([{ type: 'AdminLeft', data: { userId: ada } }]));
  });

  describe('isLastAdmin', () => {
    it('is true when nobody but this account is counted, whether or not it is', () => {
      expect(isLastAdmin(new Set([ada]), ada)).to.equal(true);
      expect(isLastAdmin(new Set(), ada)).to.equal(true);
      expect(isLastAdmin(new Set([ada, bob]), ada)).to.equal(false);
      expect(isLastAdmin(new Set([bob]), ada)).to.equal(false);
    });
  });
});
