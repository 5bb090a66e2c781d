import * as t from 'io-ts';
import { strict } from '../../infrastructure/codecs/strict.ts';
import { NewPassword } from '../shared/accounts.ts';

export const ResetPasswordRequest = strict({ token: t.string, newPassword: NewPassword }, 'ResetPasswordRequest');
