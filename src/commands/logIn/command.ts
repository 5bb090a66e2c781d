import * as t from 'io-ts';
import { Email } from '../../domain/shared/codecs.ts';
import { strict, strictWithOptional } from '../../infrastructure/codecs/strict.ts';

// Credentials only need to be strings here: a malformed e-mail or a short password simply matches
// no account, and saying which it was would help whoever is guessing.
const Password = t.string;

export const LogInRequest = strict({ email: Email, password: Password }, 'LogInRequest');

/** The OAuth2 resource owner password grant (RFC 6749 §4.3), as a form. */
export const PasswordGrantForm = strictWithOptional(
  { grant_type: t.literal('password'), username: Email, password: Password },
  { scope: t.string, client_id: t.string, client_secret: t.string },
  'PasswordGrantForm',
);
