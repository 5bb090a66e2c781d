import type pg from 'pg';
import type { Logger } from '../infrastructure/logging/logger.ts';
import type { Reactor } from './runtime/index.ts';

/** What the scheduler role can give its reactors; a reactor that needs more is added here. */
export interface ReactorDependencies {
  readonly pool: pg.Pool;
  readonly log: Logger;
}

/** Every reactor the scheduler role runs (see runtime/index.ts on how to write one). */
export const reactors = (_dependencies: ReactorDependencies): readonly Reactor[] => [];
