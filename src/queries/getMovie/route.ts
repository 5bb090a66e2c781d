import type Router from '@koa/router';
import { notFound } from '../../infrastructure/http/problem.ts';
import type { QueryDependencies } from '../shared/dependencies.ts';
import { toMovieView } from '../shared/movies.ts';
import { findMovie } from './query.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { MovieView, consistentRead, exampleMovie } from '../shared/docs.ts';
import { IdOrSlug } from '../shared/docs.ts';

export const getMovieRoute = (router: Router, dependencies: QueryDependencies): void => {
  router.get(
    '/movies/:idOrSlug',
    documented({
      summary: 'A movie, by id or slug',
      tag: 'movies',
      params: { idOrSlug: IdOrSlug },
      headers: consistentRead,
      answers: { 200: { description: 'The movie', body: MovieView, example: exampleMovie } },
      problems: { 404: 'There is no movie with this id or slug in the catalogue' },
    }),
    dependencies.consistentWith('catalogue', 'ratings'),
    async (ctx) => {
      const idOrSlug = ctx.params.idOrSlug ?? '';
      const key = idOrSlug.toLowerCase();
      const movie =
        idOrSlug.length > 200
          ? null
          : dependencies.movieViews === undefined
            ? await findMovie(dependencies.db, key).then((row) => (row === null ? null : toMovieView(row)))
            : await dependencies.movieViews.find(key);
      if (movie === null) throw notFound('There is no movie with this id or slug in the catalogue');
      ctx.body = movie;
    },
  );
};
