import * as t from 'io-ts';
import { strict } from '../../infrastructure/codecs/strict.ts';

export const LogOutRequest = strict({ refreshToken: t.string }, 'LogOutRequest');
