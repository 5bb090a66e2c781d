import { strict } from '../../infrastructure/codecs/strict.ts';
import { NewPassword, Password } from '../shared/accounts.ts';

export const ChangePasswordRequest = strict({ currentPassword: Password, newPassword: NewPassword }, 'ChangePasswordRequest');
