import { strict } from '../../infrastructure/codecs/strict.ts';
import { Token } from '../shared/accounts.ts';

// Any text: a malformed address simply has no account, and the answer must not differ.
export const RequestPasswordResetRequest = strict({ email: Token }, 'RequestPasswordResetRequest');
