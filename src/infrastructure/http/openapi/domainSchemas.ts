import { Email, DisplayName, IsoDateTime, Score, Uuid } from '../../../domain/shared/codecs.ts';
import { genres, GenreList, GenreName, Overview, Runtime, Slug, Title, Year } from '../../../domain/movie/values.ts';
import { withSchema } from '../../codecs/schemaHints.ts';

// The domain's value codecs in JSON Schema. The domain imports nothing but io-ts, so they are
// described here; the rules are the codecs' own, and the spec that decodes every example with the
// route's codecs as well as validating it against these schemas catches the two drifting apart.

withSchema(Uuid, { type: 'string', format: 'uuid', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' });
withSchema(Email, { type: 'string', format: 'email', maxLength: 254, description: 'Read in Unicode NFKC; one account in any letter case' });
withSchema(DisplayName, { type: 'string', minLength: 1, maxLength: 80 });
withSchema(IsoDateTime, { type: 'string', format: 'date-time', description: 'RFC 3339, at most 6 fractional digits' });
withSchema(Score, { type: 'number', minimum: 0.5, maximum: 5, multipleOf: 0.5 });
withSchema(Title, { type: 'string', minLength: 1, maxLength: 300 });
withSchema(Year, { type: 'integer', minimum: 1870, maximum: 2100 });
withSchema(Overview, { type: 'string', maxLength: 5_000 });
withSchema(Runtime, { type: 'integer', minimum: 1, maximum: 1_000, description: 'Minutes' });
withSchema(Slug, { type: 'string', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', maxLength: 120 });
const genreName = {
  type: 'string',
  maxLength: 40,
  description: `A genre in any letter case: ${genres.join(', ')}, or a MovieLens or TMDB name for one (Sci-Fi, Children's, Film-Noir, Musical, TV Movie; IMAX is left out)`,
};
withSchema(GenreName, genreName);
withSchema(GenreList, { type: 'array', maxItems: 20, items: genreName });
