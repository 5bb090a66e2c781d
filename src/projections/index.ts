import { catalogue } from './catalogue/projection.ts';
import { cowatch } from './cowatch/projection.ts';
import { history } from './history/projection.ts';
import { notifications } from './notifications/projection.ts';
import { ratings } from './ratings/projection.ts';
import { sessions } from './sessions/projection.ts';
import type { Projection } from './runtime/projection.ts';
import { trending } from './trending/projection.ts';
import { watchlists } from './watchlists/projection.ts';

/** Every read model the service keeps. */
export const projections: readonly Projection[] = [catalogue, ratings, watchlists, history, trending, cowatch, sessions, notifications];
