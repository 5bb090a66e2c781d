import { seededRandom } from '../../support/seededRandom.ts';

// A mix of commands and reads by several viewers, as bench/load sends it, recorded answer by answer
// so that a fault spec can hold every answer to account afterwards. Each rating and watchlist add is
// of a (viewer, movie) pair not used before, so that what a 2xx answer acknowledged can be looked up
// in its read model without a later command having changed it.

export interface Viewer {
  readonly userId: string;
  readonly accessToken: string;
}

export type Kind = 'rate' | 'watchlist' | 'watched' | 'search' | 'detail' | 'trending' | 'myWatchlist' | 'myRatings';

export interface Answer {
  readonly kind: Kind;
  readonly command: boolean;
  /** 0 when no answer came within the bound. */
  readonly status: number;
  readonly retryAfter: string | null;
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly detail: string;
  readonly position?: string;
  readonly userId?: string;
  readonly movieId?: string;
  readonly score?: number;
}

export interface Load {
  readonly answers: Answer[];
  /** Stops sending and resolves once every request in flight has answered or timed out. */
  readonly stop: () => Promise<void>;
}

export interface LoadOptions {
  readonly base: string;
  readonly viewers: readonly Viewer[];
  readonly movieIds: readonly string[];
  readonly connections: number;
  /** No request may take longer: past it, the answer is recorded as status 0 (a hang). */
  readonly requestTimeoutMs: number;
  readonly seed?: number;
}

const readKinds: readonly Kind[] = ['search', 'detail', 'trending', 'myWatchlist', 'myRatings'];

export const startLoad = (options: LoadOptions): Load => {
  const random = seededRandom(options.seed ?? 20);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('nothing to pick from');
    return item;
  };
  const unused = (prefix: string): string[] =>
    options.viewers.flatMap((viewer) => options.movieIds.map((movieId) => `${prefix}|${viewer.userId}|${movieId}`));
  const pairs = { rate: unused('rate'), watchlist: unused('watchlist') };
  const takePair = (kind: 'rate' | 'watchlist'): { userId: string; movieId: string } | undefined => {
    const list = pairs[kind];
    if (list.length === 0) return undefined;
    const [taken] = list.splice(Math.floor(random() * list.length), 1);
    const [, userId = '', movieId = ''] = (taken ?? '').split('|');
    return { userId, movieId };
  };
  const tokenOf = (userId: string): string => options.viewers.find((viewer) => viewer.userId === userId)?.accessToken ?? '';

  const answers: Answer[] = [];
  let stopping = false;

  const send = async (
    kind: Kind,
    method: string,
    path: string,
    token: string,
    body?: unknown,
    key: Pick<Answer, 'userId' | 'movieId' | 'score'> = {},
  ): Promise<number> => {
    const sentAt = Date.now();
    const command = method !== 'GET';
    try {
      const response = await fetch(`${options.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.requestTimeoutMs),
      });
      const text = await response.text();
      const parsed = parse(text);
      answers.push({
        kind,
        command,
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        sentAt,
        answeredAt: Date.now(),
        detail: response.ok ? '' : text.slice(0, 300),
        position: typeof parsed.position === 'string' ? parsed.position : undefined,
        ...key,
      });
      return response.status;
    } catch (error) {
      answers.push({ kind, command, status: 0, retryAfter: null, sentAt, answeredAt: Date.now(), detail: String(error), ...key });
      return 0;
    }
  };

  const step = async (): Promise<number> => {
    const viewer = pick(options.viewers);
    const movieId = pick(options.movieIds);
    const roll = random();
    if (roll < 0.1) {
      const pair = takePair('rate');
      if (pair !== undefined) {
        const score = pick([1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]);
        return send('rate', 'PUT', `/movies/${pair.movieId}/rating`, tokenOf(pair.userId), { score }, { ...pair, score });
      }
    } else if (roll < 0.2) {
      const pair = takePair('watchlist');
      if (pair !== undefined) return send('watchlist', 'PUT', `/me/watchlist/${pair.movieId}`, tokenOf(pair.userId), undefined, pair);
    }
    if (roll < 0.3) {
      return send('watched', 'POST', `/movies/${movieId}/watched`, viewer.accessToken, {}, { userId: viewer.userId, movieId });
    }
    const kind = pick(readKinds);
    const path = {
      search: `/movies?q=${pick(['night', 'river', 'fault', 'heat'])}`,
      detail: `/movies/${movieId}`,
      trending: '/movies/trending?window=24h',
      myWatchlist: '/me/watchlist',
      myRatings: '/me/ratings',
    }[kind as Exclude<Kind, 'rate' | 'watchlist' | 'watched'>];
    return send(kind, 'GET', path, viewer.accessToken);
  };

  const connection = async (): Promise<void> => {
    while (!stopping) {
      const status = await step();
      // While the service refuses, a short pause: a client would wait its Retry-After; this one only
      // keeps from spinning through its unused pairs in the outage.
      if (status >= 500) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const running = Promise.all(Array.from({ length: options.connections }, connection));
  return {
    answers,
    stop: async () => {
      stopping = true;
      await running;
    },
  };
};

const parse = (text: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/** Counts of answers by kind and status, for failure messages and the notes. */
export const tally = (answers: readonly Answer[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const answer of answers) counts[`${answer.kind} ${answer.status}`] = (counts[`${answer.kind} ${answer.status}`] ?? 0) + 1;
  return counts;
};
