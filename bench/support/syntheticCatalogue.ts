import { genres as catalogueGenres, slugFor } from '../../src/domain/movie/values.ts';
import { seededRandom } from '../../test/support/seededRandom.ts';

// A synthetic catalogue as large as asked, deterministic for a seed. Words follow Zipf–Mandelbrot
// laws (p(rank) ∝ 1/(rank + offset)): 85% of an overview's words (75% of a title's) from some 480
// movie words, the rest from 30,000 generated names. What that gives is harsh but realistic: each
// movie word is in 2–13% of overviews (in real catalogues "love" or "life" are in about 8%), so a
// one-word search can match 100,000 movies; a name is in a handful.

// prettier-ignore
const words = (
  'love life man world time night day war girl boy story death city house family woman heart dream dark last ' +
  'first lost secret blood king home road black little blue red white new old great big young wild dead ' +
  'american christmas summer winter island mountain river sea star moon sun fire water ice stone gold ' +
  'shadow ghost killer hunter soldier doctor detective police agent spy thief prince princess queen ' +
  'brother sister mother father daughter son friend lover wife husband child children kid baby stranger ' +
  'town village street school college hospital prison hotel ship train car plane farm ranch forest desert ' +
  'kingdom empire galaxy planet space earth heaven hell paradise garden castle tower bridge wall door ' +
  'window mirror game money power truth lie justice revenge honor glory fear hope faith mind soul spirit ' +
  'body eye hand face voice song music dance party wedding funeral birthday holiday weekend morning ' +
  'evening midnight tomorrow yesterday forever never always again alone together beyond under over ' +
  'inside outside behind between against without return rise fall escape run chase hunt fight battle ' +
  'attack invasion rescue mission journey quest adventure legend myth tale saga chronicle diary letter ' +
  'book film picture camera show circus club gang mob crew team army navy force squad unit order ' +
  'rebel hero villain monster beast dragon wolf tiger lion bear dog cat horse bird snake spider shark ' +
  'zombie vampire witch wizard angel demon devil god saint sinner priest nun teacher student lawyer judge ' +
  'president general captain sergeant boss worker farmer cowboy sheriff outlaw pirate ninja samurai ' +
  'gangster hitman assassin mercenary survivor stranger neighbor partner rival enemy ally traitor ' +
  'widow orphan twin bride groom emperor warrior knight champion legend runaway drifter gambler ' +
  'find discover learn meet fall save protect destroy kill steal hide seek search follow lead leave ' +
  'become change lose win begin end live die love hate trust betray forgive remember forget believe ' +
  'young beautiful dangerous mysterious strange deadly perfect broken hidden forbidden final eternal ' +
  'sweet bitter cold hot silent loud fast slow high low deep true false good bad evil holy wicked ' +
  'small lonely happy sad crazy funny angry brave cruel gentle innocent guilty rich poor famous ' +
  'ordinary unlikely unexpected desperate ambitious reluctant troubled talented aging retired ' +
  'small-town big-city high-school suburban rural urban coastal northern southern western eastern ' +
  'affair romance marriage divorce murder crime heist robbery kidnapping conspiracy scandal trial ' +
  'investigation disappearance accident disaster storm flood earthquake plague virus outbreak ' +
  'experiment invention discovery treasure fortune inheritance debt deal contract bet promise ' +
  'memory past future history present moment chance choice fate destiny luck curse blessing gift'
).split(' ');

const syllables = 'ka ra mi to lu ne sa vo di ta el an or is ul ev ar on ia mar tin jo han ber li ko zan fe lo'.split(' ');

const names = (count: number, next: () => number): string[] => {
  const made = new Set<string>();
  while (made.size < count) {
    const length = 2 + Math.floor(next() * 3);
    let name = '';
    for (let n = 0; n < length; n++) name += syllables[Math.floor(next() * syllables.length)] ?? '';
    made.add(name);
  }
  return [...made];
};

/** Draws ranks from p(rank) ∝ 1/(rank + offset) by binary search over the cumulative weights. */
const zipf = (size: number, offset: number) => {
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let rank = 0; rank < size; rank++) cumulative[rank] = total += 1 / (rank + 1 + offset);
  return (next: () => number): number => {
    const target = next() * total;
    let low = 0;
    let high = size - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] ?? 0) < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
};

export interface SyntheticMovie {
  readonly title: string;
  readonly slug: string;
  readonly year: number;
  readonly genres: readonly (typeof catalogueGenres)[number][];
  readonly overview: string;
}

const capitalise = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

// Drama and comedy are the common genres, film-noir and western the rare ones, as in real catalogues.
const genreWeights = catalogueGenres.map((genre) =>
  genre === 'drama' ? 12 : genre === 'comedy' ? 9 : genre === 'thriller' || genre === 'action' || genre === 'romance' ? 5 : 2,
);
const genreTotal = genreWeights.reduce((sum, weight) => sum + weight, 0);

const vocabulary = [...new Set(words)];

/** Movie number `n` of the catalogue made with `seed`: the same inputs always give the same movie. */
export const syntheticCatalogue = (seed = 1) => {
  const madeNames = names(30_000, seededRandom(seed + 7));
  const wordRank = zipf(vocabulary.length, 100);
  const nameRank = zipf(madeNames.length, 100);
  return (n: number): SyntheticMovie => {
    const next = seededRandom(seed * 1_000_003 + n);
    const word = (nameShare: number): string => (next() < nameShare ? madeNames[nameRank(next)] : vocabulary[wordRank(next)]) ?? 'movie';
    const titleWords = Array.from({ length: 1 + Math.floor(next() * next() * 4) }, () => capitalise(word(0.25)));
    const pattern = next();
    const title =
      pattern < 0.25
        ? `The ${titleWords.join(' ')}`
        : pattern < 0.35 && titleWords.length > 1
          ? `${titleWords[0] ?? ''} of the ${titleWords.slice(1).join(' ')}`
          : titleWords.join(' ');
    // Recent years are the common ones.
    const year = 2025 - Math.floor(Math.pow(next(), 1.8) * 105);
    const genreCount = 1 + Math.floor(next() * next() * 3);
    const chosen = new Set<(typeof catalogueGenres)[number]>();
    while (chosen.size < genreCount) {
      let target = next() * genreTotal;
      const index = genreWeights.findIndex((weight) => (target -= weight) < 0);
      chosen.add(catalogueGenres[index === -1 ? 0 : index] ?? 'drama');
    }
    const overviewWords = Array.from({ length: 15 + Math.floor(next() * 30) }, () => word(0.15));
    const overview = `${capitalise(overviewWords.join(' '))}.`;
    // Titles repeat across a million movies; the movie's number keeps every slug unique.
    return { title, slug: `${slugFor(title, year)}-${n}`, year, genres: [...chosen], overview };
  };
};
