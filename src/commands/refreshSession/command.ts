import { strict } from '../../infrastructure/codecs/strict.ts';
import { Token } from '../shared/accounts.ts';

export const RefreshSessionRequest = strict({ refreshToken: Token }, 'RefreshSessionRequest');
