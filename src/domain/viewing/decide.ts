import * as E from 'fp-ts/lib/Either.js';
import type { IsoDateTime, Score, Uuid } from '../shared/codecs.ts';
import type { Decider } from '../shared/decider.ts';
import type { Tag, ViewingEvent } from './events.ts';

// state

export interface ViewingState {
  readonly score: Score | null;
  readonly timesWatched: number;
  readonly onWatchlist: boolean;
  readonly tags: readonly string[];
}

export const initialViewingState = (): ViewingState => ({ score: null, timesWatched: 0, onWatchlist: false, tags: [] });

export const evolveViewing = (state: ViewingState, event: ViewingEvent): ViewingState => {
  switch (event.type) {
    case 'MovieRated':
      return { ...state, score: event.data.score };
    case 'RatingRetracted':
      return { ...state, score: null };
    case 'MovieWatched':
      return { ...state, timesWatched: state.timesWatched + 1 };
    case 'AddedToWatchlist':
      return { ...state, onWatchlist: true };
    case 'RemovedFromWatchlist':
      return { ...state, onWatchlist: false };
    case 'MovieTagged':
      return { ...state, tags: [...state.tags, event.data.tag.trim().toLowerCase()] };
  }
};

// commands

/** Whether the movie can be acted on, as the catalogue says when the command is handled. */
export type MovieAvailability = 'available' | 'archived' | 'unknown';

interface ViewingCommandBase {
  readonly userId: Uuid;
  readonly movieId: Uuid;
  readonly movie: MovieAvailability;
}

export type ViewingCommand =
  | (ViewingCommandBase & { readonly type: 'RateMovie'; readonly score: Score })
  | (ViewingCommandBase & { readonly type: 'RetractRating' })
  | (ViewingCommandBase & { readonly type: 'MarkWatched'; readonly watchedAt: IsoDateTime })
  | (ViewingCommandBase & { readonly type: 'AddToWatchlist' })
  | (ViewingCommandBase & { readonly type: 'RemoveFromWatchlist' })
  | (ViewingCommandBase & { readonly type: 'TagMovie'; readonly tag: Tag });

export type ViewingError = { readonly type: 'MovieNotFound' | 'MovieArchived' };

// decisions: repeating a command whose effect is already there records nothing (and is no error).

export const decideViewing = (command: ViewingCommand, state: ViewingState): E.Either<ViewingError, readonly ViewingEvent[]> => {
  const { userId, movieId } = command;
  // Taking something off (a rating, a watchlist entry) stays possible after the movie was archived.
  const removing = command.type === 'RetractRating' || command.type === 'RemoveFromWatchlist';
  if (command.movie === 'unknown') return E.left({ type: 'MovieNotFound' });
  if (command.movie === 'archived' && !removing) return E.left({ type: 'MovieArchived' });
  switch (command.type) {
    case 'RateMovie':
      return E.right(
        state.score === command.score
          ? []
          : [{ type: 'MovieRated', data: { userId, movieId, score: command.score, previousScore: state.score } }],
      );
    case 'RetractRating':
      return E.right(state.score === null ? [] : [{ type: 'RatingRetracted', data: { userId, movieId, previousScore: state.score } }]);
    case 'MarkWatched':
      return E.right([{ type: 'MovieWatched', data: { userId, movieId, watchedAt: command.watchedAt } }]);
    case 'AddToWatchlist':
      return E.right(state.onWatchlist ? [] : [{ type: 'AddedToWatchlist', data: { userId, movieId } }]);
    case 'RemoveFromWatchlist':
      return E.right(state.onWatchlist ? [{ type: 'RemovedFromWatchlist', data: { userId, movieId } }] : []);
    case 'TagMovie':
      // The same label twice (in any letter case) is one label.
      return E.right(
        state.tags.includes(command.tag.trim().toLowerCase()) ? [] : [{ type: 'MovieTagged', data: { userId, movieId, tag: command.tag } }],
      );
    default: {
      const _never: never = command;
      return _never;
    }
  }
};

export const viewingDecider: Decider<ViewingCommand, ViewingEvent, ViewingState, ViewingError> = {
  decide: decideViewing,
  evolve: evolveViewing,
  initialState: initialViewingState,
};
