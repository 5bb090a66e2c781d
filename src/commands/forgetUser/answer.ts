import * as t from 'io-ts';
import type { Answer } from '../../infrastructure/http/openapi/routeDoc.ts';
import { examplePosition, PositionText } from '../shared/docs.ts';
import type { ForgetUserOutcome } from './handler.ts';

/** `forgotten: false` says that the account had been forgotten before and nothing was done (a no-op). */
export const ForgetUserAnswer = t.type({ position: PositionText, forgotten: t.boolean, detail: t.string }, 'ForgetUserAnswer');

export const forgetUserDone: Readonly<Record<number, Answer>> = {
  200: {
    description:
      'Forgotten (or forgotten before: `forgotten` false, nothing done). Its sessions have ended, its address can be registered again',
    body: ForgetUserAnswer,
    example: { position: examplePosition, forgotten: true, detail: 'The account is forgotten: its personal data is erased' },
  },
};

export const forgetUserAnswer = (outcome: ForgetUserOutcome): Omit<t.TypeOf<typeof ForgetUserAnswer>, 'position'> =>
  outcome.forgotten
    ? { forgotten: true, detail: 'The account is forgotten: its personal data is erased' }
    : { forgotten: false, detail: 'The account had been forgotten already: nothing was done' };
