import { genres, type Genre } from '../../domain/movie/values.ts';

// A small, plausible catalogue with activity, generated from a seed (the same seed, the same demo):
// movies with titles and overviews made from word lists, viewers who each favour a few genres, and
// ratings and viewings over the last week, a handful of movies much more watched than the rest, so
// that search, trending and recommendations all have something to show.

export interface DemoMovie {
  readonly key: number;
  readonly title: string;
  readonly year: number;
  readonly genres: Genre[];
  readonly overview: string;
  readonly runtime: number;
}

export interface DemoActivity {
  readonly viewer: number;
  readonly movie: number;
  readonly at: Date;
  readonly kind: 'rated' | 'watched' | 'listed';
  readonly score?: number;
}

export interface DemoPlan {
  readonly movies: readonly DemoMovie[];
  readonly viewers: number;
  readonly activity: readonly DemoActivity[];
}

const adjectives = [
  'Silent',
  'Crimson',
  'Last',
  'Broken',
  'Golden',
  'Hidden',
  'Endless',
  'Midnight',
  'Frozen',
  'Wild',
  'Lost',
  'Burning',
  'Quiet',
  'Electric',
  'Distant',
  'Savage',
  'Gentle',
  'Hollow',
  'Iron',
  'Paper',
];
const nouns = [
  'River',
  'Kingdom',
  'Harbor',
  'Signal',
  'Orchard',
  'Empire',
  'Garden',
  'Frontier',
  'Machine',
  'Promise',
  'Shadow',
  'Voyage',
  'Winter',
  'Circus',
  'Lighthouse',
  'Archive',
  'Desert',
  'Choir',
  'Station',
  'Mirror',
];
const people = [
  'a retired detective',
  'two estranged sisters',
  'a young engineer',
  'a travelling musician',
  'an exiled queen',
  'a night-shift nurse',
  'a stubborn farmer',
  'a disgraced chef',
  'a rookie astronaut',
  'a small-town mayor',
];
const plots = [
  'uncovers a conspiracy',
  'must cross the country',
  'returns home after twenty years',
  'races against a storm',
  'falls for a rival',
  'inherits a haunted house',
  'plans one last heist',
  'searches for a missing child',
  'leads a mutiny',
  'starts a band',
];
const places = [
  'in post-war Berlin',
  'on a remote island',
  'in a city that never sleeps',
  'aboard a failing space station',
  'across the American West',
  'in a village by the sea',
  'beneath the Arctic ice',
  'in 1920s Shanghai',
  'inside a vast library',
  'during a record heatwave',
];
// Every genre but the rare ones, so that viewers' favourites overlap.
const genrePool: Genre[] = genres.filter((genre) => genre !== 'film-noir' && genre !== 'history');

/** A small deterministic generator (mulberry32): the demo never depends on Math.random. */
const generator = (seed: number) => {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick, between: (low: number, high: number): number => low + Math.floor(next() * (high - low + 1)) };
};

export const demoPlan = (options: {
  readonly seed?: number;
  readonly movies?: number;
  readonly viewers?: number;
  readonly now: Date;
}): DemoPlan => {
  const random = generator(options.seed ?? 42);
  const movieCount = options.movies ?? 240;
  const viewers = options.viewers ?? 40;
  const titles = new Set<string>();
  const movies: DemoMovie[] = [];
  for (let key = 0; movies.length < movieCount; key++) {
    const title =
      random.next() < 0.3 ? `The ${random.pick(adjectives)} ${random.pick(nouns)}` : `${random.pick(adjectives)} ${random.pick(nouns)}`;
    if (titles.has(title)) continue;
    titles.add(title);
    const movieGenres = [...new Set([random.pick(genrePool), random.pick(genrePool)])].slice(0, random.between(1, 2));
    movies.push({
      key: movies.length,
      title,
      year: random.between(1960, 2025),
      genres: movieGenres,
      overview: `${capitalise(random.pick(people))} ${random.pick(plots)} ${random.pick(places)}.`,
      runtime: random.between(80, 170),
    });
  }
  // A few movies everyone is watching this week: trending has a clear top.
  const hot = new Set(Array.from({ length: 6 }, () => random.between(0, movieCount - 1)));
  const day = 86_400_000;
  const activity: DemoActivity[] = [];
  for (let viewer = 0; viewer < viewers; viewer++) {
    const favourites = new Set([random.pick(genrePool), random.pick(genrePool), random.pick(genrePool)]);
    const liked = movies.filter((movie) => movie.genres.some((genre) => favourites.has(genre)));
    const seen = new Set<number>();
    for (let n = random.between(15, 35); n > 0; n--) {
      const movie = random.next() < 0.8 && liked.length > 0 ? random.pick(liked) : random.pick(movies);
      if (seen.has(movie.key)) continue;
      seen.add(movie.key);
      const at = new Date(options.now.getTime() - random.next() * 7 * day);
      const likes = movie.genres.some((genre) => favourites.has(genre));
      activity.push({ viewer, movie: movie.key, at, kind: 'watched' });
      activity.push({
        viewer,
        movie: movie.key,
        at: new Date(at.getTime() + 3_600_000),
        kind: 'rated',
        score: likes ? random.between(7, 10) / 2 : random.between(2, 6) / 2,
      });
    }
    for (const key of hot) {
      if (random.next() < 0.6 && !seen.has(key))
        activity.push({ viewer, movie: key, at: new Date(options.now.getTime() - random.next() * day), kind: 'watched' });
    }
    for (let n = random.between(2, 5); n > 0; n--)
      activity.push({ viewer, movie: random.pick(movies).key, at: options.now, kind: 'listed' });
  }
  return { movies, viewers, activity: activity.filter((entry) => entry.at <= options.now) };
};

const capitalise = (text: string): string => `${text.slice(0, 1).toUpperCase()}${text.slice(1)}`;
