import { IsoDateTime } from '../../domain/shared/codecs.ts';
import { strictPartial } from '../../infrastructure/codecs/strict.ts';

/** When it was watched; now, when not said. */
export const MarkWatchedRequest = strictPartial({ watchedAt: IsoDateTime }, 'MarkWatchedRequest');
