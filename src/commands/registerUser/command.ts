import { DisplayName, Email } from '../../domain/shared/codecs.ts';
import { strict } from '../../infrastructure/codecs/strict.ts';
import { NewPassword } from '../shared/accounts.ts';

export const RegisterUserRequest = strict({ email: Email, password: NewPassword, displayName: DisplayName }, 'RegisterUserRequest');
