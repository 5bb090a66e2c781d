import { expect } from 'chai';
import { mapGenres, parseTitle } from '../../../src/commands/importMovieLens/titles.ts';

describe('MovieLens titles and genres', () => {
  const cases: [string, string, number | null][] = [
    ['Toy Story (1995)', 'Toy Story', 1995],
    ['Matrix, The (1999)', 'The Matrix', 1999],
    ['American President, The (1995)', 'The American President', 1995],
    ['City of Lost Children, The (Cité des enfants perdus, La) (1995)', 'The City of Lost Children (Cité des enfants perdus, La)', 1995],
    ['Cry, the Beloved Country (1995)', 'Cry, the Beloved Country', 1995],
    ['Misérables, Les (1995)', 'Les Misérables', 1995],
    ['Babylon 5', 'Babylon 5', null],
    ['Death Note: Desu nôto (2006–2007)', 'Death Note: Desu nôto', 2006],
    ['  Millions (2004) ', 'Millions', 2004],
    ['2001: A Space Odyssey (1968)', '2001: A Space Odyssey', 1968],
    ['Homme et une femme, Un (1966)', 'Un Homme et une femme', 1966],
  ];
  for (const [raw, title, year] of cases) {
    it(`reads ${JSON.stringify(raw)} as ${JSON.stringify(title)} (${String(year)})`, () => {
      expect(parseTitle(raw)).to.deep.equal({ title, year });
    });
  }

  it('maps MovieLens genres onto the catalogue’s, dropping IMAX and "(no genres listed)"', () => {
    expect(mapGenres('Adventure|Animation|Children|Comedy|Fantasy')).to.deep.equal({
      genres: ['adventure', 'animation', 'family', 'comedy', 'fantasy'],
      unknown: [],
    });
    expect(mapGenres('Sci-Fi|IMAX|Musical|Film-Noir')).to.deep.equal({ genres: ['science-fiction', 'music', 'film-noir'], unknown: [] });
    expect(mapGenres('(no genres listed)')).to.deep.equal({ genres: [], unknown: [] });
    expect(mapGenres('Drama|Polka')).to.deep.equal({ genres: ['drama'], unknown: ['Polka'] });
  });
});
