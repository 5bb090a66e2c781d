import { expect } from 'chai';
import {
  EventStoreAccessDeniedError,
  EventStoreUnavailableError,
  StreamDeletedError,
} from '../../../src/infrastructure/eventStore/errors.ts';
import { toProblem } from '../../../src/infrastructure/http/errorHandler.ts';

// What the event store's own failures are answered with: a store that cannot be reached is the
// client's to retry (503, Retry-After), a stream deleted for good is a conflict, and a store that
// refuses our credentials is ours to fix (500, logged as an error).

describe('the error handler, for event store failures', () => {
  it('answers an unreachable event store with 503 and Retry-After, logged as a warning', () => {
    const problem = toProblem(new EventStoreUnavailableError('no leader'));
    expect(problem.status).to.equal(503);
    expect(problem.headers['Retry-After']).to.equal('2');
    expect(problem.severity).to.equal('warn');
    expect(problem.detail).to.match(/nothing was changed/);
  });

  it('answers a stream deleted for good with 409', () => {
    expect(toProblem(new StreamDeletedError('movie-1' as never)).status).to.equal(409);
  });

  it('answers refused credentials with 500, logged as an error', () => {
    const problem = toProblem(new EventStoreAccessDeniedError('append'));
    expect(problem.status).to.equal(500);
    expect(problem.severity).to.equal('error');
  });
});
