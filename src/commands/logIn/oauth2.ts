import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { fieldErrors } from '../../infrastructure/codecs/decodeErrors.ts';
import type { Email } from '../../domain/shared/codecs.ts';
import type { Password as PasswordCodec } from '../shared/accounts.ts';
import type { IssuedTokens } from '../shared/sessions.ts';
import { PasswordGrantForm } from './command.ts';

// The OAuth2 resource owner password grant (RFC 6749 §4.3) answered as OAuth2 clients read it: its
// own field names on success (§5.1) and its own error shape, always 400, on failure (§5.2). Only
// the form speaks OAuth2; the JSON login keeps this API's camelCase and problem+json.

/** §5.1: the token answer. */
export const OAuth2Tokens = t.type(
  { access_token: t.string, token_type: t.literal('Bearer'), expires_in: t.number, refresh_token: t.string },
  'OAuth2Tokens',
);
export type OAuth2Tokens = t.TypeOf<typeof OAuth2Tokens>;

/** §5.2: the error answer; the codes this grant can give. */
export const OAuth2Error = t.type(
  {
    error: t.keyof({ invalid_request: null, invalid_grant: null, unsupported_grant_type: null }),
    error_description: t.string,
  },
  'OAuth2Error',
);
export type OAuth2Error = t.TypeOf<typeof OAuth2Error>;

export const oauth2Tokens = (tokens: IssuedTokens): OAuth2Tokens => ({
  access_token: tokens.accessToken,
  token_type: tokens.tokenType,
  expires_in: tokens.expiresIn,
  refresh_token: tokens.refreshToken,
});

export const invalidGrant: OAuth2Error = { error: 'invalid_grant', error_description: 'The e-mail address or the password is not correct' };

/**
 * The credentials of a password grant form, or the OAuth2 error it earns: a grant other than
 * `password` is `unsupported_grant_type`; a missing, repeated (§3.2) or malformed field is
 * `invalid_request` naming it. Parameters the grant does not define are ignored, as §3.2 asks.
 */
export const readPasswordGrant = (
  form: unknown,
): E.Either<OAuth2Error, { readonly email: Email; readonly password: t.TypeOf<typeof PasswordCodec> }> => {
  const fields = isRecord(form) ? form : {};
  const missing = ['grant_type', 'username', 'password'].filter((name) => fields[name] === undefined || fields[name] === '');
  const grantType = fields.grant_type;
  if (typeof grantType === 'string' && grantType !== '' && grantType !== 'password')
    return E.left({
      error: 'unsupported_grant_type',
      error_description: `Only grant_type=password is supported, not ${JSON.stringify(grantType.slice(0, 40))}`,
    });
  if (missing.length > 0) return E.left(invalidRequest(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required`));
  const decoded = PasswordGrantForm.decode(fields);
  if (E.isLeft(decoded)) {
    const errors = fieldErrors(decoded.left);
    return E.left(invalidRequest(errors.map((error) => `${error.path || '(form)'}: ${error.message}`).join('; ')));
  }
  return E.right({ email: decoded.right.username, password: decoded.right.password });
};

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const invalidRequest = (description: string): OAuth2Error => ({ error: 'invalid_request', error_description: description });
