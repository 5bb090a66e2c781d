import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { loadConfig } from '../../../src/infrastructure/config/config.ts';

// The rate-limit variables (README: Limits): `points/window`, and TRUST_PROXY as a count of proxies.

const limits = (env: NodeJS.ProcessEnv) => {
  const config = loadConfig(env);
  if (E.isLeft(config)) throw new Error(config.left);
  return config.right.limits;
};

describe('the rate-limit configuration', () => {
  it('is generous by default for requests, strict for failed logins, and trusts no proxy', () => {
    const defaults = limits({});
    expect(defaults.trustProxyHops).to.equal(0);
    expect(defaults.requests).to.deep.equal({ points: 50_000, windowSeconds: 10 });
    expect(defaults.loginFailures).to.deep.equal({ points: 5, windowSeconds: 60 });
    expect(defaults.hashesPerAddress).to.equal(8);
    expect(defaults.hashQueue).to.equal(100);
  });

  it('reads limits as points per window in s, m, h or d', () => {
    const read = limits({ RATE_LIMIT_LOGIN_FAILURES: '10 / 5m', RATE_LIMIT_REQUESTS: '100/30', TRUST_PROXY: '2' });
    expect(read.loginFailures).to.deep.equal({ points: 10, windowSeconds: 300 });
    expect(read.requests).to.deep.equal({ points: 100, windowSeconds: 30 });
    expect(read.trustProxyHops).to.equal(2);
  });

  it('names every bad limit', () => {
    for (const bad of ['5', '0/1m', '5/0s', '5/1w', 'five/1m', '-1/1m']) {
      const config = loadConfig({ RATE_LIMIT_REGISTRATIONS: bad, TRUST_PROXY: 'yes' });
      expect(E.isLeft(config), bad).to.equal(true);
      if (E.isRight(config)) continue;
      expect(config.left).to.contain('RATE_LIMIT_REGISTRATIONS must be a limit such as 5/1m');
      expect(config.left).to.contain('TRUST_PROXY must be an integer from 0 to 10');
    }
  });
});
