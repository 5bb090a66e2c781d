import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { loadConfig } from '../../../src/infrastructure/config/config.ts';

const failure = (env: NodeJS.ProcessEnv): string => {
  const result = loadConfig(env);
  if (E.isRight(result)) throw new Error('expected the configuration to be refused');
  return result.left;
};

describe('configuration from the environment', () => {
  it('uses the embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(E.isRight(config)).to.equal(true);
    if (E.isLeft(config)) return;
    expect(config.right.http.port).to.equal(3000);
    expect(config.right.database.url).to.equal(undefined);
    expect(config.right.eventStoreUrl).to.equal(undefined);
    expect(config.right.auth.accessTokenTtlSeconds).to.equal(900);
    expect(config.right.auth.refreshTokenTtlSeconds).to.equal(30 * 86_400);
    expect(config.right.logLevel).to.equal('info');
    expect(config.right.roles).to.deep.equal(['api', 'projector', 'scheduler']);
  });

  it('runs the roles FASTFLIX_ROLES names, and refuses unknown or repeated ones', () => {
    const config = loadConfig({ FASTFLIX_ROLES: ' Projector, scheduler ' });
    if (E.isLeft(config)) throw new Error(config.left);
    expect(config.right.roles).to.deep.equal(['projector', 'scheduler']);
    const expected = 'FASTFLIX_ROLES must be a comma-separated list of some of api, projector, scheduler';
    expect(failure({ FASTFLIX_ROLES: 'api,web' })).to.contain(expected);
    expect(failure({ FASTFLIX_ROLES: 'api,api' })).to.contain(expected);
    expect(failure({ FASTFLIX_ROLES: ',' })).to.contain(expected);
  });

  it('reads every variable it knows', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/fastflix',
      EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false',
      REDIS_URL: 'redis://redis:6379',
      MONGODB_URL: 'mongodb://mongo:27017/fastflix',
      SMTP_URL: 'smtp://mail:1025',
      JWT_SECRET: 'x'.repeat(32),
      LOG_LEVEL: 'DEBUG',
      ACCESS_TOKEN_TTL: '5m',
      REFRESH_TOKEN_TTL: '7d',
    });
    if (E.isLeft(config)) throw new Error(config.left);
    expect(config.right.http.port).to.equal(8080);
    expect(config.right.database.url?.hostname).to.equal('db');
    expect(config.right.eventStoreUrl).to.equal('esdb://eventstore:2113?tls=false');
    expect(config.right.logLevel).to.equal('debug');
    expect(config.right.auth.accessTokenTtlSeconds).to.equal(300);
    expect(config.right.auth.refreshTokenTtlSeconds).to.equal(7 * 86_400);
  });

  it('reads CORS_ORIGINS as a list of origins, none by default, and refuses anything that is not one', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' });
    if (E.isLeft(config)) throw new Error(config.left);
    expect(config.right.http.corsOrigins).to.deep.equal(['https://app.example.com', 'http://localhost:5173']);
    const defaults = loadConfig({});
    if (E.isLeft(defaults)) throw new Error(defaults.left);
    expect(defaults.right.http.corsOrigins).to.deep.equal([]);
    for (const bad of [
      '*',
      'app.example.com',
      'https://app.example.com/',
      'https://app.example.com/path',
      'ftp://files.example.com',
      'https://a.example,',
    ])
      expect(failure({ CORS_ORIGINS: bad }), bad).to.contain('CORS_ORIGINS must be a comma-separated list of origins');
  });

  it('names the variable and what was expected when a value is bad', () => {
    expect(failure({ PORT: 'eighty' })).to.equal('Invalid configuration: PORT must be an integer from 0 to 65535, got "eighty"');
    expect(failure({ PORT: '70000' })).to.match(/^Invalid configuration: PORT must be an integer from 0 to 65535/);
    expect(failure({ DATABASE_URL: 'mysql://db/x' })).to.match(/DATABASE_URL must be a URL starting with postgres:\/\/ or postgresql:\/\//);
    expect(failure({ LOG_LEVEL: 'loud' })).to.match(/LOG_LEVEL must be one of trace, debug, info, warn, error, fatal/);
  });

  it('names every bad variable in one message', () => {
    const message = failure({ PORT: 'x', REDIS_URL: 'http://redis', JWT_SECRET: 'short' });
    expect(message)
      .to.match(/PORT/)
      .and.to.match(/REDIS_URL/)
      .and.to.match(/JWT_SECRET must be a secret of at least 32 characters/);
    expect(message.split('\n')).to.have.length(1);
  });

  it('refuses to start in production without a JWT secret', () => {
    expect(failure({ NODE_ENV: 'production' })).to.match(/JWT_SECRET must be set when NODE_ENV=production/);
    expect(E.isRight(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(40) }))).to.equal(true);
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '  ' });
    expect(E.isRight(config) && config.right.http.port).to.equal(3000);
  });

  it('wants the admin e-mail and password together', () => {
    expect(failure({ FASTFLIX_ADMIN_EMAIL: 'admin@example.com' })).to.match(
      /FASTFLIX_ADMIN_EMAIL and FASTFLIX_ADMIN_PASSWORD must be set together/,
    );
  });
});
