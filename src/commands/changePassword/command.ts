import * as t from 'io-ts';
import { strict } from '../../infrastructure/codecs/strict.ts';
import { NewPassword } from '../shared/accounts.ts';

export const ChangePasswordRequest = strict({ currentPassword: t.string, newPassword: NewPassword }, 'ChangePasswordRequest');
