import type { MovieEvent } from '../../../src/domain/movie/events.ts';
import { movieDecider } from '../../../src/domain/movie/decide.ts';
import { deciderSpec } from '../../support/deciderSpec.ts';
import { overview, slug, title, uuid, year } from '../../support/values.ts';

const spec = deciderSpec(movieDecider);
const movieId = uuid();
const details = {
  title: title('Heat'),
  year: year(1995),
  genres: ['crime' as const, 'thriller' as const],
  overview: overview('A heist.'),
  runtime: null,
  externalIds: {},
};
const added: MovieEvent = { type: 'MovieAdded', data: { movieId, slug: slug('heat-1995'), ...details } };
const archived: MovieEvent = { type: 'MovieArchived', data: { movieId } };

describe('a movie', () => {
  it('is added with its slug and details', () =>
    spec
      .given([])
      .when({ type: 'AddMovie', movieId, slug: slug('heat-1995'), details })
      .then([added]));

  it('cannot be added twice', () =>
    spec
      .given([added])
      .when({ type: 'AddMovie', movieId, slug: slug('heat-1995'), details })
      .thenFails({ type: 'MovieAlreadyExists' }));

  describe('when its details change', () => {
    it('records only what differs', () =>
      spec
        .given([added])
        .when({ type: 'ChangeMovieDetails', changes: { title: title('Heat'), overview: overview('A heist in Los Angeles.') } })
        .then([{ type: 'MovieDetailsChanged', data: { movieId, overview: overview('A heist in Los Angeles.') } }]));

    it('records nothing when nothing differs', () =>
      spec
        .given([added])
        .when({ type: 'ChangeMovieDetails', changes: { year: year(1995), genres: ['crime', 'thriller'] } })
        .thenNothingHappens());

    it('refuses an unknown movie', () =>
      spec
        .given([])
        .when({ type: 'ChangeMovieDetails', changes: { title: title('x') } })
        .thenFails({ type: 'MovieNotFound' }));

    it('refuses an archived movie', () =>
      spec
        .given([added, archived])
        .when({ type: 'ChangeMovieDetails', changes: { title: title('x') } })
        .thenFails({ type: 'MovieArchived' }));
  });

  describe('when archived', () => {
    it('records the archiving', () => spec.given([added]).when({ type: 'ArchiveMovie' }).then([archived]));
    it('records nothing the second time', () => spec.given([added, archived]).when({ type: 'ArchiveMovie' }).thenNothingHappens());
    it('refuses an unknown movie', () => spec.given([]).when({ type: 'ArchiveMovie' }).thenFails({ type: 'MovieNotFound' }));
  });
});
