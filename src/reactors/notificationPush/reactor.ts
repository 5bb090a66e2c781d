import type pg from 'pg';
import type { JsonValue, Position } from '../../infrastructure/eventStore/eventStore.ts';
import { toNotificationView } from '../../projections/notifications/view.ts';
import type { Reactor } from '../runtime/index.ts';
import { notificationsCausedAt } from './createdBy.ts';

export interface NotificationPushDependencies {
  readonly pool: pg.Pool;
  /** True once the notifications read model has applied the event at `position` (false: not in time). */
  readonly notificationsReached: (position: Position) => Promise<boolean>;
  /** Sends to the room of that user only, on every API node. */
  readonly emitToUser: (
    userId: string,
    event: 'notification.created',
    payload: { readonly position: string } & { readonly [key: string]: JsonValue },
  ) => Promise<void> | void;
}

/**
 * Pushes each notification the projection made as `notification.created`, exactly as
 * `GET /me/notifications` lists it, once the projection has it: so the id a client is pushed can be
 * marked read at once. Keyed by notification (its causing event and user), so a redelivery pushes
 * nothing twice, and a crash part-way through an event's notifications pushes only the rest.
 */
export const notificationPush = (dependencies: NotificationPushDependencies): Reactor => ({
  name: 'notification-push',
  eventTypes: ['UserRegistered', 'MovieAdded', 'MovieDetailsChanged', 'MovieArchived'],
  handle: async (event, { once }) => {
    if (!(await dependencies.notificationsReached(event.position))) {
      // Thrown, so the runtime retries with backoff, then parks it where `reactors status` shows it.
      throw new Error(`the notifications read model has not reached position ${event.position} yet`);
    }
    for (const row of await notificationsCausedAt(dependencies.pool, event.position)) {
      await once(row.notification_id, async () => {
        await dependencies.emitToUser(row.user_id, 'notification.created', toNotificationView(row));
      });
    }
  },
});
