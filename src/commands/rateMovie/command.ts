import { Score } from '../../domain/shared/codecs.ts';
import { strict } from '../../infrastructure/codecs/strict.ts';

export const RateMovieRequest = strict({ score: Score }, 'RateMovieRequest');
