import * as t from 'io-ts';
import { strict } from '../../infrastructure/codecs/strict.ts';

export const RefreshSessionRequest = strict({ refreshToken: t.string }, 'RefreshSessionRequest');
