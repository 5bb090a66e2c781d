import { expect } from 'chai';
import {
  BackendTerminatedError,
  BackendTerminatedUnexpectedlyError,
  ConnectionError,
  StatementTimeoutError,
  UniqueIntegrityConstraintViolationError,
} from 'slonik';
import { toProblem } from '../../../src/infrastructure/http/errorHandler.ts';
import { isDatabaseUnreachable } from '../../../src/infrastructure/postgres/unreachable.ts';

// Which failures mean that PostgreSQL is out of reach (answered 503 with Retry-After, retried by
// subscriptions) rather than that a statement failed (a 4xx, a 500, or a query cancelled at its
// timeout), however the drivers wrap them.

const withCode = (code: string, message = 'failed'): Error => Object.assign(new Error(message), { code });

describe('an unreachable database', () => {
  it("is node-postgres's own socket and server errors", () => {
    expect(isDatabaseUnreachable(withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'))).to.equal(true);
    expect(isDatabaseUnreachable(withCode('57P03', 'the database system is not yet accepting connections'))).to.equal(true);
    expect(isDatabaseUnreachable(withCode('57P01', 'terminating connection due to administrator command'))).to.equal(true);
    expect(isDatabaseUnreachable(new Error('Connection terminated unexpectedly'))).to.equal(true);
    expect(isDatabaseUnreachable(new Error('Connection terminated due to connection timeout'))).to.equal(true);
    expect(isDatabaseUnreachable(new Error('timeout exceeded when trying to connect'))).to.equal(true);
    expect(isDatabaseUnreachable(new Error('timeout expired'))).to.equal(true);
  });

  it("is slonik's wrappers, and errors caused by one", () => {
    const refused = withCode('ECONNREFUSED');
    expect(isDatabaseUnreachable(new ConnectionError('connect ECONNREFUSED', { cause: refused }))).to.equal(true);
    expect(isDatabaseUnreachable(new BackendTerminatedUnexpectedlyError(new Error('gone')))).to.equal(true);
    expect(isDatabaseUnreachable(new BackendTerminatedError(withCode('57P01')))).to.equal(true);
    expect(isDatabaseUnreachable(new Error('could not load the account', { cause: refused }))).to.equal(true);
  });

  it('is a refused connect to every address of a name', () => {
    expect(isDatabaseUnreachable(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]))).to.equal(true);
  });

  it('is not a failing statement, nor anything else', () => {
    expect(isDatabaseUnreachable(withCode('23505', 'duplicate key'))).to.equal(false);
    expect(isDatabaseUnreachable(new UniqueIntegrityConstraintViolationError(withCode('23505')))).to.equal(false);
    expect(isDatabaseUnreachable(new StatementTimeoutError(withCode('57014')))).to.equal(false);
    expect(isDatabaseUnreachable(new Error('boom', { cause: new Error('deeper') }))).to.equal(false);
    expect(isDatabaseUnreachable(new AggregateError([new Error('boom')]))).to.equal(false);
    expect(isDatabaseUnreachable('ECONNREFUSED')).to.equal(false);
  });

  it('is answered 503 with Retry-After, logged as a warning, without saying that nothing changed', () => {
    const problem = toProblem(new ConnectionError('connect ECONNREFUSED', { cause: withCode('ECONNREFUSED') }));
    expect(problem.status).to.equal(503);
    expect(problem.headers['Retry-After']).to.equal('2');
    expect(problem.severity).to.equal('warn');
    expect(problem.detail).to.match(/may or may not have been applied/);
  });

  it('leaves a statement that failed a 500', () => {
    expect(toProblem(withCode('42P01', 'relation does not exist')).status).to.equal(500);
  });
});
