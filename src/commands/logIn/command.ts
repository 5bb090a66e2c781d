import * as t from 'io-ts';
import { Email } from '../../domain/shared/codecs.ts';
import { strict } from '../../infrastructure/codecs/strict.ts';
import { Password, Token } from '../shared/accounts.ts';

// A password here need only be text that can be hashed as it is (accounts.ts): a short one simply
// matches no account, and saying which rule it broke would help whoever is guessing.

export const LogInRequest = strict({ email: Email, password: Password }, 'LogInRequest');

/**
 * The OAuth2 resource owner password grant (RFC 6749 §4.3), as a form. Not strict, unlike every other
 * body: §3.2 has the server ignore parameters it does not know (clients send `scope`, `client_id`).
 */
export const PasswordGrantForm = t.intersection(
  [
    t.type({ grant_type: t.literal('password'), username: Email, password: Password }),
    t.partial({ scope: Token, client_id: Token, client_secret: Token }),
  ],
  'PasswordGrantForm',
);
