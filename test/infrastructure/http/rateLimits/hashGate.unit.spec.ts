import { expect } from 'chai';
import { hashSlots } from '../../../../src/infrastructure/http/rateLimits/hashGate.ts';
import { HttpProblem } from '../../../../src/infrastructure/http/problem.ts';

// The process-wide cap on scrypt computations: so many at once, a short queue, 503 beyond it.

const deferred = () => {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
};

describe('the cap on concurrent password hashes', () => {
  it('runs two at once, queues one, and refuses the fourth with 503 and Retry-After', async () => {
    const refused: string[] = [];
    const run = hashSlots(2, 1, (limit) => refused.push(limit));
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const jobs = gates.map((gate, index) =>
      run(async () => {
        started.push(index);
        await gate.promise;
        return index;
      }),
    );
    await Promise.resolve();
    expect(started).to.deep.equal([0, 1]);
    const fourth = await run(() => Promise.resolve('never')).catch((error: unknown) => error);
    expect(fourth).to.be.instanceOf(HttpProblem);
    expect((fourth as HttpProblem).status).to.equal(503);
    expect((fourth as HttpProblem).headers).to.deep.equal({ 'Retry-After': '1' });
    expect(refused).to.deep.equal(['password_hashes']);
    gates[0]?.resolve();
    expect(await jobs[0]).to.equal(0);
    // The queued one takes the freed slot.
    expect(started).to.deep.equal([0, 1, 2]);
    gates[1]?.resolve();
    gates[2]?.resolve();
    expect(await Promise.all(jobs)).to.deep.equal([0, 1, 2]);
    // All slots free again: the next runs at once.
    expect(await run(() => Promise.resolve('again'))).to.equal('again');
  });

  it('frees the slot of a computation that failed', async () => {
    const run = hashSlots(1, 0, () => undefined);
    await run(async () => Promise.reject(new Error('scrypt failed'))).catch(() => undefined);
    expect(await run(() => Promise.resolve('next'))).to.equal('next');
  });
});
