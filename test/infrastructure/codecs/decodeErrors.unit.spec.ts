import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { fieldErrors, type FieldError } from '../../../src/infrastructure/codecs/decodeErrors.ts';
import { strict } from '../../../src/infrastructure/codecs/strict.ts';

const atLeast8 = new t.Type<string, string, unknown>(
  'a string of 8 characters or more',
  (input): input is string => typeof input === 'string' && input.length >= 8,
  (input, context) => (typeof input === 'string' && input.length >= 8 ? t.success(input) : t.failure(input, context)),
  String,
);
// A codec whose own message quotes the value, as a careless one might.
const quoting = new t.Type<string, string, unknown>(
  'Quoting',
  (_input): _input is string => false,
  (input, context) => t.failure(input, context, `must be longer than ${JSON.stringify(input)}`),
  String,
);

const errorsOf = <A>(codec: t.Type<A, unknown, unknown>, input: unknown): FieldError[] => {
  const decoded = codec.decode(input);
  if (E.isRight(decoded)) throw new Error('expected the input to be refused');
  return fieldErrors(decoded.left);
};

describe('field errors', () => {
  const Credentials = strict({ email: t.string, password: atLeast8, newPassword: atLeast8, client_secret: quoting, refreshToken: quoting });

  it('says what a field held when it is no secret', () => {
    const errors = errorsOf(strict({ title: atLeast8 }), { title: 'Short' });
    expect(errors).to.deep.equal([{ path: 'title', message: 'expected a string of 8 characters or more, got "Short"' }]);
  });

  it('never echoes a password, a secret or a token, only what was expected', () => {
    const input = { email: 'a@b.c', password: 'Secret7', newPassword: 12345, client_secret: 'hunter2', refreshToken: 'abc.def' };
    const errors = errorsOf(Credentials, input);
    expect(errors.map((error) => error.path)).to.deep.equal(['password', 'newPassword', 'client_secret', 'refreshToken']);
    const text = JSON.stringify(errors);
    for (const secret of ['Secret7', '12345', 'hunter2', 'abc.def']) expect(text).not.to.contain(secret);
    expect(errors[0]).to.deep.equal({ path: 'password', message: 'expected a string of 8 characters or more, got a string' });
    expect(errors[1]).to.deep.equal({ path: 'newPassword', message: 'expected a string of 8 characters or more, got a number' });
    expect(errors[2]).to.deep.equal({ path: 'client_secret', message: 'expected Quoting, got a string' });
  });

  it("keeps a secret's own message when it does not quote the value", () => {
    const Fixed = strict({
      password: new t.Type<string, string, unknown>(
        'P',
        (_input): _input is string => false,
        (input, context) => t.failure(input, context, 'must be 8 to 256 characters'),
        String,
      ),
    });
    expect(errorsOf(Fixed, { password: 'Secret7' })).to.deep.equal([{ path: 'password', message: 'must be 8 to 256 characters' }]);
  });

  it('hides secrets nested in objects and arrays too', () => {
    const Nested = strict({ accounts: t.array(strict({ password: atLeast8 })) });
    const errors = errorsOf(Nested, { accounts: [{ password: 'tooShort' }, { password: 'Secret7' }] });
    expect(errors).to.deep.equal([{ path: 'accounts[1].password', message: 'expected a string of 8 characters or more, got a string' }]);
  });

  it('cuts a very long key short in the path', () => {
    const key = 'k'.repeat(100_000);
    const [error] = errorsOf(strict({}), { [key]: 1 });
    expect(error?.path).to.equal(`${'k'.repeat(64)}…`);
    expect(error?.message).to.equal('is not a known field');
  });
});
