import type { Uuid } from '../../domain/shared/codecs.ts';
import type { Guards } from '../../infrastructure/auth/guards.ts';
import type { PasswordHasher } from '../../infrastructure/auth/passwords.ts';
import type { TokenService } from '../../infrastructure/auth/tokens.ts';
import type { Middleware } from 'koa';
import type { RouteLimits } from '../../infrastructure/http/rateLimits/rateLimits.ts';
import type { CommandEnvironment } from './handleCommand.ts';
import type { MovieAvailability } from '../../domain/viewing/decide.ts';
import type { Position } from '../../infrastructure/eventStore/eventStore.ts';

/** Time and ids come from outside, so tests can fix them (the only things tests mock). */
export type Clock = () => Date;
export type NewId = () => Uuid;

/** Everything the command routes are built from; the composition root makes one. */
export interface CommandDependencies extends CommandEnvironment {
  readonly clock: Clock;
  readonly newId: NewId;
  readonly passwords: PasswordHasher;
  readonly tokens: TokenService;
  readonly guards: Guards;
  /** Replays the first answer to a request repeated with the same Idempotency-Key. */
  readonly idempotent: Middleware;
  /** The rate limits and password-hash gate the auth routes put in front of themselves. */
  readonly limits: RouteLimits;
  /** Whether a movie can be rated, watched or listed now. */
  readonly movieAvailability: (movieId: Uuid) => Promise<MovieAvailability>;
  /** Tells `movieAvailability` at once that this process archived a movie. */
  readonly movieArchived: (movieId: Uuid, position: Position) => void;
}
