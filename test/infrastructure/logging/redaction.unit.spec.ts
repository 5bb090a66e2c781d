import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '../../../src/infrastructure/logging/logger.ts';
import { redactRecord, redactText } from '../../../src/infrastructure/logging/redaction.ts';
import { capturedLogText } from '../../support/logCapture.ts';

// The serializer every log record passes (logging/redaction.ts): secrets by the name of their field,
// at any depth, and by their shape in any text.

const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const refreshToken = '0b9f2a44-5e1d-4c7a-9a65-3f1d2e4b5c6d.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdE';

describe('the log serializer', () => {
  it('redacts fields named like credentials, however deep and however spelt', () => {
    const record = redactRecord({
      msg: 'request',
      req: { headers: { authorization: 'Bearer abc', cookie: 'sid=1', 'set-cookie': ['a=b'], accept: 'application/json' } },
      body: {
        email: 'kim@example.com',
        password: 'hunter2 hunter2',
        newPassword: 'n3w',
        nested: [{ refresh_token: 'r', resetToken: 'x' }],
      },
      Authorization: 'Basic xyz',
      config: { jwtSecret: 'shh', SMTP_PASSWORD: 'p', apiKey: 'k', currentPassword: 'c' },
      status: 200,
      empty: { password: '' },
    });
    expect(record).to.deep.equal({
      msg: 'request',
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]', 'set-cookie': '[redacted]', accept: 'application/json' } },
      body: {
        email: 'kim@example.com',
        password: '[redacted]',
        newPassword: '[redacted]',
        nested: [{ refresh_token: '[redacted]', resetToken: '[redacted]' }],
      },
      Authorization: '[redacted]',
      config: { jwtSecret: '[redacted]', SMTP_PASSWORD: '[redacted]', apiKey: '[redacted]', currentPassword: '[redacted]' },
      status: 200,
      empty: { password: '' },
    });
  });

  it('cuts secret-shaped text out of any string: JWTs, refresh and reset tokens, secret parameters, passwords in URLs', () => {
    expect(redactText(`token ${jwt} refused`)).to.equal('token [redacted] refused');
    expect(redactText(`no session for ${refreshToken}`)).to.equal('no session for 0b9f2a44-5e1d-4c7a-9a65-3f1d2e4b5c6d.[redacted]');
    expect(redactText('/movies?q=heat&access_token=abc.def&limit=5')).to.equal('/movies?q=heat&access_token=[redacted]&limit=5');
    expect(redactText('/x?token=1&refresh_token=2&password=3&code=4&Access%5FToken=5&q=a+b')).to.equal(
      '/x?token=[redacted]&refresh_token=[redacted]&password=[redacted]&code=[redacted]&Access%5FToken=[redacted]&q=a+b',
    );
    expect(redactText('redis://:s3cret@cache:6379/0 and postgres://app:pw@db/x')).to.equal(
      'redis://:[redacted]@cache:6379/0 and postgres://app:[redacted]@db/x',
    );
    // What is not a secret stays as it was.
    expect(redactText('/movies/0b9f2a44-5e1d-4c7a-9a65-3f1d2e4b5c6d/rating?sort=rating&cursor=abc')).to.equal(
      '/movies/0b9f2a44-5e1d-4c7a-9a65-3f1d2e4b5c6d/rating?sort=rating&cursor=abc',
    );
  });

  it('keeps the record it was given as it was, and survives cycles, bigints, errors and URLs', () => {
    const original: Record<string, unknown> = { password: 'p', position: 12n, url: new URL(`http://h/?access_token=${jwt}`) };
    original.self = original;
    const error = new Error(`bad refresh token ${refreshToken}`);
    const record = redactRecord({ ...original, cause: error });
    expect(original.password).to.equal('p');
    expect(record.password).to.equal('[redacted]');
    expect(record.position).to.equal('12');
    expect(record.url).to.equal('http://h/?access_token=[redacted]');
    expect(record.self).to.deep.include({ password: '[redacted]', self: '[Circular]' });
    expect(JSON.stringify(record.cause)).not.to.contain(refreshToken.split('.')[1]);
  });

  it('is applied by the service logger to every line it writes, JSON and pretty, child loggers and errors included', () => {
    const { log, text } = capturedLogText();
    const child = log.child({ req_id: 'r1' }, true);
    child.info({ url: `/me?access_token=${jwt}`, headers: { authorization: `Bearer ${jwt}` } }, 'request');
    child.error({ err: new Error(`cannot refresh ${refreshToken}`) }, 'request failed');
    log.warn({ body: { password: 'hunter2 hunter2' } }, `login of ${refreshToken}`);
    const pretty = new PassThrough();
    createLogger('info', 'fastflix', pretty, 'pretty').info({ body: { refreshToken } }, 'pretty line');
    const written = `${text()}${String(pretty.read())}`;
    expect(written).to.contain('[redacted]');
    for (const secret of [jwt, refreshToken.split('.')[1] ?? refreshToken, 'hunter2']) expect(written).not.to.contain(secret);
    for (const line of text().trim().split('\n')) expect(() => JSON.parse(line) as unknown).not.to.throw();
  });
});
