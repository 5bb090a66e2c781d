import { strict } from '../../infrastructure/codecs/strict.ts';
import { NewPassword, Token } from '../shared/accounts.ts';

export const ResetPasswordRequest = strict({ token: Token, newPassword: NewPassword }, 'ResetPasswordRequest');
