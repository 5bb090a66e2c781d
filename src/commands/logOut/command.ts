import { strict } from '../../infrastructure/codecs/strict.ts';
import { Token } from '../shared/accounts.ts';

export const LogOutRequest = strict({ refreshToken: Token }, 'LogOutRequest');
