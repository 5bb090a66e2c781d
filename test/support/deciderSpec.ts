import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import type { Decider } from '../../src/domain/shared/decider.ts';

/**
 * Specifications that read as such: given these past events, when this command, then these events
 * (or this error). After Emmett's DeciderSpecification.
 */
export const deciderSpec = <Command, Event, State, Error>(decider: Decider<Command, Event, State, Error>) => ({
  given: (events: readonly Event[]) => ({
    when: (command: Command) => {
      const result = decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
      return {
        then: (expected: readonly Event[]): void => {
          if (E.isLeft(result)) expect.fail(`expected events, got the error ${JSON.stringify(result.left)}`);
          expect(result.right).to.deep.equal(expected);
        },
        thenNothingHappens: (): void => {
          if (E.isLeft(result)) expect.fail(`expected no events, got the error ${JSON.stringify(result.left)}`);
          expect(result.right).to.deep.equal([]);
        },
        thenFails: (expected: Error): void => {
          if (E.isRight(result)) expect.fail(`expected the error ${JSON.stringify(expected)}, got events ${JSON.stringify(result.right)}`);
          expect(result.left).to.deep.equal(expected);
        },
      };
    },
  }),
});
