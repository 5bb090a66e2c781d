import type { MovieError } from '../../domain/movie/decide.ts';
import { Uuid } from '../../domain/shared/codecs.ts';
import { conflict, notFound, type HttpProblem } from '../../infrastructure/http/problem.ts';
import { decodeParam } from './http.ts';

export const movieNotFound = (): HttpProblem => notFound('There is no movie with this id');

/** `:id` of a movie route; an id that is no UUID names no movie. */
export const movieIdParam = (value: unknown): Uuid => decodeParam(Uuid, value, movieNotFound);

export const movieProblem = (error: { readonly type: MovieError['type'] }): HttpProblem => {
  switch (error.type) {
    case 'MovieNotFound':
      return movieNotFound();
    case 'MovieArchived':
      return conflict('The movie is archived');
    case 'MovieAlreadyExists':
      return conflict('The movie exists already');
  }
};
