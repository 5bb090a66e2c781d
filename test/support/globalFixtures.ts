import { describeTestPostgres, startTestPostgres, stopTestPostgres } from './postgresServer.ts';

// Mocha global fixtures: one PostgreSQL server for the whole run.

export const mochaGlobalSetup = async (): Promise<void> => {
  await startTestPostgres();
  console.log(`  tests run against ${describeTestPostgres()}`);
};

export const mochaGlobalTeardown = async (): Promise<void> => {
  await stopTestPostgres();
};
