import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// A personal value as the log stores it: `{ "sealed": "v1:<base64 of iv ‖ tag ‖ ciphertext>" }`,
// AES-256-GCM under its account's key, with the account's id and the field's name as associated
// data, so that a sealed value copied into another account's event or field does not open there.

export interface Sealed {
  readonly sealed: string;
}

const prefix = 'v1:';

const associatedData = (userId: string, field: string): Buffer => Buffer.from(`fastflix personal data ${userId} ${field}`, 'utf8');

export const isSealed = (value: unknown): value is Sealed =>
  typeof value === 'object' && value !== null && typeof (value as { sealed?: unknown }).sealed === 'string';

export const seal = (key: Buffer, userId: string, field: string, value: string): Sealed => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(userId, field));
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return { sealed: prefix + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64') };
};

/** The value, or undefined when it does not open with this key (another account's, or altered). */
export const open = (key: Buffer, userId: string, field: string, value: Sealed): string | undefined => {
  if (!value.sealed.startsWith(prefix)) return undefined;
  const bytes = Buffer.from(value.sealed.slice(prefix.length), 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAAD(associatedData(userId, field));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    // A wrong key or altered bytes: the value reads as unreadable (redacted), which the caller decides.
    return undefined;
  }
};
