import { expect } from 'chai';
import { client, type Client, type Reply } from '../support/http.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp, type SignedIn } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';

interface Item {
  readonly id: string;
  readonly title: string;
  readonly year: number | null;
  readonly genres: string[];
  readonly rating: { readonly average: number | null; readonly count: number };
}
interface Page {
  readonly items: Item[];
  readonly nextCursor: string | null;
}

describe('GET /movies (search)', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  let admin: string;
  let viewers: SignedIn[];
  /** The latest position a write answered; reads send it so they see every write so far. */
  let position = '0';

  const seen = (reply: Reply) => {
    expect(reply.status, JSON.stringify(reply.body)).to.be.oneOf([200, 201]);
    if (typeof reply.body.position === 'string' && BigInt(reply.body.position) > BigInt(position)) position = reply.body.position;
  };
  const add = async (overrides: Record<string, unknown>): Promise<string> => {
    const reply = await api.post(
      '/movies',
      { title: 'Untitled', year: 2000, genres: ['drama'], overview: 'Nothing to see.', ...overrides },
      { token: admin },
    );
    seen(reply);
    return String(reply.body.movieId);
  };
  const rate = async (movieId: string, scores: readonly number[]): Promise<void> => {
    for (const [index, score] of scores.entries()) {
      const viewer = viewers[index];
      if (viewer === undefined) throw new Error('not enough viewers');
      seen(await api.put(`/movies/${movieId}/rating`, { score }, { token: viewer.accessToken }));
    }
  };
  const search = async (query: string, headers: Record<string, string> = {}): Promise<Reply<Page>> => {
    const reply = await api.get<Page>(`/movies?${query}`, { headers: { 'X-Min-Position': position, ...headers } });
    expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
    return reply;
  };
  const titles = async (query: string): Promise<string[]> => (await search(query)).body.items.map((item) => item.title);
  /** Every page of a search, following nextCursor, with `between` run before each next page. */
  const allPages = async (query: string, between: (pageNumber: number) => Promise<void> = () => Promise.resolve()): Promise<Item[]> => {
    const items: Item[] = [];
    let cursor: string | null = null;
    for (let pageNumber = 0; pageNumber < 50; pageNumber++) {
      const reply: Reply<Page> = await search(cursor === null ? query : `${query}&cursor=${cursor}`);
      items.push(...reply.body.items);
      cursor = reply.body.nextCursor;
      if (cursor === null) return items;
      await between(pageNumber);
    }
    throw new Error('more than 50 pages');
  };

  before(async () => {
    running = await startTestService(adminEnvironment);
    api = client(running.base);
    admin = (await signInAsAdmin(api)).accessToken;
    viewers = await Promise.all([signUp(api), signUp(api), signUp(api)]);
  });
  after(async () => {
    await running.stop();
  });

  describe('full text', () => {
    it('ranks a title match above an overview match, and a better rating higher among equal matches', async () => {
      const inOverview = await add({ title: 'Harbour Lights', overview: 'A zorblax washes up on the shore.' });
      const inTitle = await add({ title: 'Zorblax', overview: 'A story of the sea.' });
      const inTitleRated = await add({ title: 'Zorblax Returns', overview: 'Another story of the sea.' });
      await rate(inTitleRated, [5, 5, 4.5]);
      await rate(inOverview, [5, 5, 5]);
      const reply = await search('q=zorblax');
      expect(reply.body.items.map((item) => item.id)).to.deep.equal([inTitleRated, inTitle, inOverview]);
      expect(reply.body.nextCursor).to.equal(null);
    });

    it('understands web-search syntax: quoted phrases, -exclusion and or', async () => {
      await add({ title: 'Quantum Harbor', overview: 'Ships.' });
      await add({ title: 'Harbor of the Quantum', overview: 'More ships.' });
      await add({ title: 'Nebula Nights', overview: 'Stars.' });
      expect(await titles('q=%22quantum%20harbor%22')).to.deep.equal(['Quantum Harbor']);
      expect(await titles('q=quantum%20-%22quantum%20harbor%22')).to.deep.equal(['Harbor of the Quantum']);
      // With operators the query is taken as meant: no typo-tolerant fallback brings back what it excludes.
      expect(await titles('q=harbor%20-quantum')).to.deep.equal([]);
      expect((await titles('q=quantum%20or%20nebula')).sort()).to.deep.equal(['Harbor of the Quantum', 'Nebula Nights', 'Quantum Harbor']);
    });

    it('corrects misspelt words against the words of the titles when full text finds nothing: "matirx" finds The Matrix', async () => {
      await add({ title: 'The Matrix', year: 1999, genres: ['action', 'science-fiction'], overview: 'A hacker learns the truth.' });
      await add({ title: 'The Matrix Reloaded', year: 2003, genres: ['action'], overview: 'The hacker again.' });
      await add({ title: 'The Thief', year: 1952, genres: ['thriller'], overview: 'A spy without a word.' });
      const ids = async (query: string): Promise<string[]> => (await search(query)).body.items.map((item) => item.id);
      expect(await titles('q=matirx')).to.have.members(['The Matrix', 'The Matrix Reloaded']);
      // The corrected words are searched as if typed: the same movies, in the same order.
      expect(await ids('q=matirx')).to.deep.equal(await ids('q=matrix'));
      expect(await titles('q=the%20matirx')).to.include('The Matrix');
      expect(await titles('q=theif')).to.deep.equal(['The Thief']);
      expect(await titles('q=matirx%20theif')).to.deep.equal([]);
      expect(await titles('q=qqqqxxxxzzzz')).to.deep.equal([]);
      // A word no title holds but an overview does is what the query meant: the correction asked for
      // while the overviews were searched ("matrix", one edit away) is dropped.
      await add({ title: 'Grid Lines', year: 2010, genres: ['drama'], overview: 'A matrx of lies.' });
      expect(await titles('q=matrx')).to.deep.equal(['Grid Lines']);
      // With operators the query is taken as meant: no correction.
      expect(await titles('q=%22matirx%22')).to.deep.equal([]);
      expect(await titles('q=matirx%20-reloaded')).to.deep.equal([]);
    });

    it('pages through a corrected search with its cursor, which goes on correcting', async () => {
      const original: string[] = [];
      for (let n = 0; n < 5; n++) original.push(await add({ title: `Spellingpager ${n}`, year: 2000 + n, overview: 'Pages.' }));
      const pages: Item[][] = [];
      let cursor: string | null = null;
      do {
        const reply: Reply<Page> = await search(`q=spellnigpager&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
        pages.push(reply.body.items);
        cursor = reply.body.nextCursor;
      } while (cursor !== null && pages.length < 10);
      expect(pages.map((page) => page.length)).to.deep.equal([2, 2, 1]);
      expect(
        pages
          .flat()
          .map((item) => item.id)
          .sort(),
      ).to.deep.equal([...original].sort());
    });

    it('finds a movie whose title is only stop words by its exact title', async () => {
      await add({ title: 'Up', year: 2009, genres: ['animation'], overview: 'Balloons lift a house.' });
      expect(await titles('q=up')).to.deep.equal(['Up']);
    });
  });

  describe('filters and sorts', () => {
    let ids: Record<string, string>;
    before(async () => {
      ids = {
        old: await add({ title: 'Filterfilm Alpha', year: 1950, genres: ['western'], overview: 'Dust.' }),
        mid: await add({ title: 'Filterfilm Bravo', year: 1990, genres: ['drama', 'war'], overview: 'Mud.' }),
        recent: await add({ title: 'filterfilm charlie', year: 2020, genres: ['drama'], overview: 'Rain.' }),
        unknown: await add({ title: 'Filterfilm Delta', year: null, genres: ['war'], overview: 'Fog.' }),
      };
      await rate(ids.old!, [2]);
      await rate(ids.mid!, [4, 5]);
      await rate(ids.recent!, [4.5]);
    });
    const idsOf = async (query: string): Promise<string[]> => (await search(`q=filterfilm&${query}`)).body.items.map((item) => item.id);

    it('filters by genre, years and minimum rating', async () => {
      expect(await idsOf('genre=war&sort=title')).to.deep.equal([ids.mid, ids.unknown]);
      expect(await idsOf('yearFrom=1980&sort=year')).to.deep.equal([ids.recent, ids.mid]);
      expect(await idsOf('yearTo=1990&sort=year')).to.deep.equal([ids.mid, ids.old]);
      expect(await idsOf('yearFrom=1990&yearTo=1990')).to.deep.equal([ids.mid]);
      expect(await idsOf('minRating=4.5&sort=rating')).to.deep.equal([ids.mid, ids.recent]);
      expect(await idsOf('genre=drama&minRating=4.6')).to.deep.equal([]);
    });

    it('sorts by rating (unrated last), year (newest first, unknown last) and title (case-insensitive)', async () => {
      expect(await idsOf('sort=rating')).to.deep.equal([ids.mid, ids.recent, ids.old, ids.unknown]);
      expect(await idsOf('sort=year')).to.deep.equal([ids.recent, ids.mid, ids.old, ids.unknown]);
      expect(await idsOf('sort=title')).to.deep.equal([ids.old, ids.mid, ids.recent, ids.unknown]);
    });

    it('without q, relevance means the rating order over the whole catalogue', async () => {
      const browse = (await search('genre=western&limit=100')).body.items;
      expect(browse.map((item) => item.id)).to.deep.equal([ids.old]);
      const all = (await search('limit=100')).body.items;
      const averages = all.map((item) => item.rating.average ?? -1);
      expect(averages).to.deep.equal([...averages].sort((a, b) => b - a));
    });
  });

  describe('pagination', () => {
    const orders = ['relevance', 'rating', 'year', 'title'] as const;
    for (const sort of orders) {
      it(`pages through sort=${sort} without duplicates or gaps while movies are added`, async () => {
        const word = `pager${sort}`;
        const original: string[] = [];
        for (let n = 0; n < 7; n++) {
          const id = await add({
            title: n % 2 === 0 ? `${word} ${n}` : `Film ${n} (${sort})`,
            year: 1980 + n * 5,
            overview: `A ${word} story ${n}.`,
          });
          original.push(id);
          if (n % 3 === 0) await rate(id, [1 + n / 2]);
        }
        let added = 0;
        const pages = await allPages(`q=${word}&sort=${sort}&limit=2`, async () => {
          // Movies that sort before, among and after the pages already read.
          await add({ title: `${word} ${added}`, year: 1975 + added * 17, overview: `Another ${word}.` });
          added++;
        });
        const ids = pages.map((item) => item.id);
        expect(new Set(ids).size, 'no duplicates').to.equal(ids.length);
        expect(ids.filter((id) => original.includes(id)).sort(), 'no gaps').to.deep.equal([...original].sort());
        expect(added).to.be.greaterThan(2);
      });
    }

    it('pages through the browse order (no q) the same way', async () => {
      const everything = await allPages('sort=title&limit=7');
      expect(new Set(everything.map((item) => item.id)).size).to.equal(everything.length);
      const keys = everything.map((item) => item.title.toLowerCase());
      expect(keys).to.deep.equal([...keys].sort());
    });

    it('refuses a cursor from another search', async () => {
      const first = await search('q=pagertitle&sort=title&limit=2');
      const cursor = String(first.body.nextCursor);
      expect((await api.get(`/movies?q=pagertitle&sort=year&limit=2&cursor=${cursor}`)).status).to.equal(400);
      expect((await api.get(`/movies?q=pageryear&sort=title&limit=2&cursor=${cursor}`)).status).to.equal(400);
      expect((await api.get(`/movies?q=pagertitle&sort=title&limit=2&cursor=${cursor}`)).status).to.equal(200);
    });
  });

  describe('hostile q', () => {
    const hostile = [
      "'",
      '"',
      '"unbalanced',
      "'; DROP TABLE rm_catalogue.movies; --",
      '&|!():*',
      '!',
      '-',
      'or',
      '-zorblax',
      '<->',
      'a:* & b',
      '\\',
      '%',
      '😀🎬',
      'Amélie 東京物語',
      'the',
      'x'.repeat(10_000),
      'love '.repeat(2_000),
    ];
    for (const q of hostile) {
      it(`answers ${JSON.stringify(q.length > 30 ? `${q.slice(0, 20)}… (${q.length} characters)` : q)} with 200, as text`, async () => {
        const reply = await api.get<Page>(`/movies?q=${encodeURIComponent(q)}`);
        expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
        expect(reply.body.items).to.be.an('array');
      });
    }

    it('still has its catalogue afterwards', async () => {
      expect(await titles('q=zorblax')).to.have.length(3);
    });
  });

  describe('invalid parameters', () => {
    const pathsOf = async (query: string): Promise<string[]> => {
      const reply = await api.get<{ errors: { path: string }[] }>(`/movies?${query}`);
      expect(reply.status, JSON.stringify(reply.body)).to.equal(400);
      return reply.body.errors.map((error) => error.path).sort();
    };

    it('names each bad parameter', async () => {
      expect(await pathsOf('limit=0')).to.deep.equal(['limit']);
      expect(await pathsOf('limit=101')).to.deep.equal(['limit']);
      expect(await pathsOf('limit=ten')).to.deep.equal(['limit']);
      expect(await pathsOf('genre=bollywood')).to.deep.equal(['genre']);
      expect(await pathsOf('yearFrom=1800')).to.deep.equal(['yearFrom']);
      expect(await pathsOf('yearTo=nineteen')).to.deep.equal(['yearTo']);
      expect(await pathsOf('minRating=0')).to.deep.equal(['minRating']);
      expect(await pathsOf('minRating=5.5')).to.deep.equal(['minRating']);
      expect(await pathsOf('sort=popularity')).to.deep.equal(['sort']);
      expect(await pathsOf('cursor=garbage')).to.deep.equal(['cursor']);
      expect(await pathsOf('page=2')).to.deep.equal(['page']);
      expect(await pathsOf('q=a&q=b')).to.deep.equal(['q']);
      expect(await pathsOf(`q=${'x'.repeat(10_001)}`)).to.deep.equal(['q']);
      expect(await pathsOf('yearFrom=2000&yearTo=1990')).to.deep.equal(['yearFrom', 'yearTo']);
    });

    it('names every bad parameter of one request at once', async () => {
      expect(await pathsOf('limit=0&genre=x&sort=y&minRating=9&yearFrom=2001&yearTo=2000&colour=red')).to.deep.equal([
        'colour',
        'genre',
        'limit',
        'minRating',
        'sort',
        'yearFrom',
        'yearTo',
      ]);
    });
  });

  describe('consistency', () => {
    it('never shows an archived movie', async () => {
      const movie = await addMovie(api, admin, { title: 'Vanishing Archivefilm', overview: 'Gone soon.' });
      const archived = await api.delete(`/movies/${movie.movieId}`, { token: admin });
      seen(archived);
      expect(await titles('q=archivefilm')).to.deep.equal([]);
      expect(await titles('q=archivfilm')).to.deep.equal([]);
      expect((await allPages('sort=title&limit=100')).map((item) => item.id)).not.to.include(movie.movieId);
    });

    it('keeps slug lookups served from memory current: ratings, changes and archiving show at once', async () => {
      const movie = await addMovie(api, admin, { title: 'Cachefilm', year: 2001 });
      const bySlug = (at: unknown) => api.get<Item>(`/movies/${movie.slug}`, { headers: { 'X-Min-Position': String(at) } });
      // Twice: the first read fills the cache, the second is served from it.
      expect((await bySlug(movie.position)).body.rating.count).to.equal(0);
      expect((await bySlug(movie.position)).body.rating.count).to.equal(0);
      const rated = await api.put(`/movies/${movie.movieId}/rating`, { score: 3 }, { token: viewers[0]?.accessToken });
      expect((await bySlug(rated.body.position)).body.rating).to.include({ count: 1, average: 3 });
      const changed = await api.patch(`/movies/${movie.movieId}`, { title: 'Cachefilm Redux' }, { token: admin });
      expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
      expect((await bySlug(changed.body.position)).body.title).to.equal('Cachefilm Redux');
      const archived = await api.delete(`/movies/${movie.movieId}`, { token: admin });
      expect((await bySlug(archived.body.position)).status).to.equal(404);
    });

    it('keeps search pages served from memory current: additions, ratings, changes and archiving show at once', async () => {
      const first = await addMovie(api, admin, { title: 'Pagecache Alpha', year: 2001 });
      const searchAt = async (at: unknown, query = 'q=pagecache') => {
        const reply = await api.get<Page>(`/movies?${query}`, { headers: { 'X-Min-Position': String(at) } });
        expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
        expect(reply.headers.get('content-type')).to.match(/^application\/json/);
        return reply.body.items.map((item) => `${item.title} ${item.rating.count}`);
      };
      // Twice: the first read fills the cache, the second is served from it.
      expect(await searchAt(first.position)).to.deep.equal(['Pagecache Alpha 0']);
      expect(await searchAt(first.position)).to.deep.equal(['Pagecache Alpha 0']);
      const second = await addMovie(api, admin, { title: 'Pagecache Beta', year: 2002 });
      expect(await searchAt(second.position)).to.have.members(['Pagecache Alpha 0', 'Pagecache Beta 0']);
      const rated = await api.put(`/movies/${second.movieId}/rating`, { score: 5 }, { token: viewers[0]?.accessToken });
      expect(await searchAt(rated.body.position)).to.deep.equal(['Pagecache Beta 1', 'Pagecache Alpha 0']);
      expect(await searchAt(rated.body.position)).to.deep.equal(['Pagecache Beta 1', 'Pagecache Alpha 0']);
      expect(await searchAt(rated.body.position, 'q=pagecache&minRating=1')).to.deep.equal(['Pagecache Beta 1']);
      const retracted = await api.delete(`/movies/${second.movieId}/rating`, { token: viewers[0]?.accessToken });
      expect(retracted.status, JSON.stringify(retracted.body)).to.equal(200);
      // Full text finds nothing rated now, so titles like the query answer instead; the retracted one is not among them.
      expect(
        (await searchAt(retracted.body.position, 'q=pagecache&minRating=1')).filter((item) => item.startsWith('Pagecache')),
      ).to.deep.equal([]);
      expect(await searchAt(retracted.body.position, 'q=pagecache&sort=title')).to.deep.equal(['Pagecache Alpha 0', 'Pagecache Beta 0']);
      const changed = await api.patch(`/movies/${first.movieId}`, { title: 'Pagecache Gamma' }, { token: admin });
      expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
      expect(await searchAt(changed.body.position, 'q=pagecache&sort=title')).to.deep.equal(['Pagecache Beta 0', 'Pagecache Gamma 0']);
      const archived = await api.delete(`/movies/${second.movieId}`, { token: admin });
      expect(await searchAt(archived.body.position, 'q=pagecache&sort=title')).to.deep.equal(['Pagecache Gamma 0']);
    });

    it('reads its writes: a movie just added is found with X-Min-Position', async () => {
      const added = await api.post(
        '/movies',
        { title: 'Instantfilm', year: 2024, genres: ['comedy'], overview: 'Fresh.' },
        { token: admin },
      );
      const reply = await api.get<Page>('/movies?q=instantfilm', { headers: { 'X-Min-Position': String(added.body.position) } });
      expect(reply.body.items.map((item) => item.id)).to.deep.equal([added.body.movieId]);
    });
  });
});
