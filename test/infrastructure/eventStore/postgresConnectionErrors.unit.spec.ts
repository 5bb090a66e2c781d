import { expect } from 'chai';
import { isConnectionFailure } from '../../../src/infrastructure/eventStore/postgres/connectionErrors.ts';

// Which PostgreSQL failures a subscription reads again after (the connection's) and which end it (the statement's).

const withCode = (code: string, message = 'failed'): Error => Object.assign(new Error(message), { code });

describe('PostgreSQL connection failures', () => {
  it('are the server cutting or refusing the connection, and the socket failing', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', '08003', 'ECONNRESET', 'ECONNREFUSED']) {
      expect(isConnectionFailure(withCode(code)), code).to.equal(true);
    }
    expect(isConnectionFailure(new Error('Connection terminated unexpectedly'))).to.equal(true);
  });

  it('are not failures of the statement itself', () => {
    for (const code of ['23505', '42P01', '57014', '40001']) expect(isConnectionFailure(withCode(code)), code).to.equal(false);
    expect(isConnectionFailure(new Error('boom'))).to.equal(false);
    expect(isConnectionFailure('57P01')).to.equal(false);
  });
});
