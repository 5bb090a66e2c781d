import * as t from 'io-ts';
import { strict } from '../../infrastructure/codecs/strict.ts';

// Any string: a malformed address simply has no account, and the answer must not differ.
export const RequestPasswordResetRequest = strict({ email: t.string }, 'RequestPasswordResetRequest');
