import type { JsonObject } from '../eventStore/eventStore.ts';

// Which fields of which events are personal data, whose account they belong to, and what they read
// as once that account is forgotten. Every event type that carries an e-mail address or a display
// name must be listed here: the sealing store (sealingEventStore.ts) seals exactly these.

export type PersonalField = 'email' | 'displayName';

/** Valid values of their codecs (Email, DisplayName), so that every reader decodes a forgotten account's events. */
export const redacted: Readonly<Record<PersonalField, string>> = {
  email: '[forgotten]@forgotten.invalid',
  displayName: '[forgotten]',
};

const personalFieldsByType: Readonly<Record<string, readonly PersonalField[]>> = {
  UserRegistered: ['email', 'displayName'],
  EmailReserved: ['email'],
};

/** The personal fields of an event of this type (none for most), and the account they belong to. */
export const personalFieldsOf = (
  type: string,
  data: JsonObject,
): { readonly userId: string; readonly fields: readonly PersonalField[] } | undefined => {
  const fields = personalFieldsByType[type];
  const userId = data.userId;
  return fields === undefined || typeof userId !== 'string' ? undefined : { userId, fields };
};
