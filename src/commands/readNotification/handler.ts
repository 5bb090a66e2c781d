import { v5 as uuidv5 } from 'uuid';
import type { DomainEvent } from '../../domain/events.ts';
import type { Uuid } from '../../domain/shared/codecs.ts';
import type { EventMetadata, Position } from '../../infrastructure/eventStore/eventStore.ts';
import { streamName } from '../../infrastructure/eventStore/streamName.ts';
import { appendTyped } from '../../infrastructure/eventStore/typedAppend.ts';
import type { CommandEnvironment } from '../shared/handleCommand.ts';

const namespace = '5b0f3a52-8d3e-4c1e-9a57-3f6a2b1c9d40';

export const inboxStream = (userId: Uuid) => streamName('inbox', userId);

/**
 * Records that the user read the notification. The event's id comes from the notification's, so
 * reading it again is an append the store recognises as done: one NotificationRead per notification.
 */
export const readNotification = async (
  environment: CommandEnvironment,
  userId: Uuid,
  notificationId: Uuid,
  metadata: EventMetadata,
): Promise<Position | null> => {
  const event: DomainEvent = { type: 'NotificationRead', data: { userId, notificationId } };
  const result = await appendTyped(environment.store, environment.registry, inboxStream(userId), [event], {
    expectedRevision: 'any',
    metadata,
    eventIds: [uuidv5(notificationId, namespace)],
  });
  return result.position;
};
