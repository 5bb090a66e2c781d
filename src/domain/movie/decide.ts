import * as E from 'fp-ts/lib/Either.js';
import type { Uuid } from '../shared/codecs.ts';
import type { Decider } from '../shared/decider.ts';
import type { MovieDetails, MovieEvent } from './events.ts';
import type { Slug } from './values.ts';

// state

export type MovieState =
  | { readonly status: 'none' }
  | { readonly status: 'active' | 'archived'; readonly movieId: Uuid; readonly slug: Slug; readonly details: MovieDetails };

export const initialMovieState = (): MovieState => ({ status: 'none' });

export const evolveMovie = (state: MovieState, event: MovieEvent): MovieState => {
  switch (event.type) {
    case 'MovieAdded': {
      const { movieId, slug, ...details } = event.data;
      return { status: 'active', movieId, slug, details };
    }
    case 'MovieDetailsChanged': {
      if (state.status === 'none') return state;
      const { movieId: _movieId, ...changes } = event.data;
      return { ...state, details: { ...state.details, ...changes } };
    }
    case 'MovieArchived':
      return state.status === 'none' ? state : { ...state, status: 'archived' };
  }
};

// commands

export type MovieCommand =
  | { readonly type: 'AddMovie'; readonly movieId: Uuid; readonly slug: Slug; readonly details: MovieDetails }
  | { readonly type: 'ChangeMovieDetails'; readonly changes: Partial<MovieDetails> }
  | { readonly type: 'ArchiveMovie' };

export type MovieError = { readonly type: 'MovieAlreadyExists' | 'MovieNotFound' | 'MovieArchived' };

const error = (type: MovieError['type']): E.Either<MovieError, never> => E.left({ type });

/** The changes that differ from what the movie already has; none means nothing to record. */
const actualChanges = (details: MovieDetails, changes: Partial<MovieDetails>): Partial<MovieDetails> =>
  Object.fromEntries(
    Object.entries(changes).filter(([key, value]) => JSON.stringify(details[key as keyof MovieDetails]) !== JSON.stringify(value)),
  );

export const decideMovie = (command: MovieCommand, state: MovieState): E.Either<MovieError, readonly MovieEvent[]> => {
  if (command.type === 'AddMovie') {
    return state.status !== 'none'
      ? error('MovieAlreadyExists')
      : E.right([{ type: 'MovieAdded', data: { movieId: command.movieId, slug: command.slug, ...command.details } }]);
  }
  if (state.status === 'none') return error('MovieNotFound');
  switch (command.type) {
    case 'ChangeMovieDetails': {
      if (state.status === 'archived') return error('MovieArchived');
      const changes = actualChanges(state.details, command.changes);
      return E.right(
        Object.keys(changes).length === 0 ? [] : [{ type: 'MovieDetailsChanged', data: { movieId: state.movieId, ...changes } }],
      );
    }
    case 'ArchiveMovie':
      // Archiving twice changes nothing.
      return E.right(state.status === 'archived' ? [] : [{ type: 'MovieArchived', data: { movieId: state.movieId } }]);
    default: {
      const _never: never = command;
      return _never;
    }
  }
};

export const movieDecider: Decider<MovieCommand, MovieEvent, MovieState, MovieError> = {
  decide: decideMovie,
  evolve: evolveMovie,
  initialState: initialMovieState,
};
