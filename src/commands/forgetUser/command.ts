import { strict } from '../../infrastructure/codecs/strict.ts';
import { Password } from '../shared/accounts.ts';

/** `DELETE /me` asks for the password again: a stolen access token alone must not erase an account. */
export const ForgetMeRequest = strict({ password: Password }, 'ForgetMeRequest');
