import { Command, Option } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { loadConfig, type Config } from '../config/config.ts';
import { generatedSecret } from '../config/generatedSecret.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { logFormatFor, type LogFormat } from '../logging/prettyStream.ts';
import { StartupError } from '../postgres/database.ts';
import { auditCommands } from './audit.ts';
import { createAdminCommand } from './createAdmin.ts';
import { demoCommand } from './demo.ts';
import { evalRecommendationsCommand } from './evalRecommendations.ts';
import { importMovieLensCommand } from './importMovieLens.ts';
import { jobsCommands } from './jobs.ts';
import { migrateCommand } from './migrate.ts';
import { projectionsCommands } from './projections.ts';
import { reactorsCommands } from './reactors.ts';
import { serveCommand } from './serve.ts';

// `fastflix <command>`: the service and its operator tools. Configuration comes from the environment
// (see README); a bad value stops here with one line saying which and why.

export interface CliContext {
  readonly config: Config;
  readonly log: Logger;
}

/** The service logs to stdout; every other command to stderr, so that its stdout is only its output (`--json`). */
const context = async (
  logStream: NodeJS.WritableStream = process.stderr,
  logFormat?: LogFormat,
  overrides: NodeJS.ProcessEnv = {},
): Promise<CliContext> => {
  const config = loadConfig({ ...process.env, ...overrides });
  if (E.isLeft(config)) throw new StartupError(config.left);
  const jwtSecret = config.right.auth.jwtSecret ?? (await generatedSecret(config.right.dataDir, 'jwt-secret'));
  const resolved: Config = { ...config.right, auth: { ...config.right.auth, jwtSecret } };
  return { config: resolved, log: createLogger(resolved.logLevel, 'fastflix', logStream, logFormatFor(logStream, logFormat)) };
};

const program = new Command()
  .name('fastflix')
  .description('FastFlix: an event-sourced movie catalogue and recommendation service')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the HTTP API (with the embedded PostgreSQL unless DATABASE_URL is set)')
  .option('--role <roles>', 'what this process runs, comma-separated: api, projector, scheduler (FASTFLIX_ROLES; all three by default)')
  .addOption(
    new Option('--log-format <format>', 'log lines as json, or pretty (default: pretty on a terminal, else json)').choices([
      'json',
      'pretty',
    ]),
  )
  .action(async (options: { role?: string; logFormat?: LogFormat }) =>
    serveCommand(await context(process.stdout, options.logFormat, options.role === undefined ? {} : { FASTFLIX_ROLES: options.role })),
  );

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(async () => migrateCommand(await context()));

program
  .command('users')
  .description('manage accounts')
  .command('create-admin')
  .description('create an admin account unless one with this e-mail exists (--promote: make that account an admin)')
  .requiredOption('--email <email>', 'e-mail address of the admin')
  .option('--password <password>', 'password, 8 to 256 characters (needed to create the account)')
  .option('--promote', 'if an account has this address, make it an admin: recovers an installation without one')
  .action(async (options: { email: string; password?: string; promote?: boolean }) => createAdminCommand(await context(), options));

program
  .command('import')
  .description('import data into the event log')
  .command('movielens <dir>')
  .description('import a MovieLens directory (movies.csv, ratings.csv, tags.csv, links.csv); running it again adds nothing')
  .action(async (directory: string) => importMovieLensCommand(await context(), directory));

program
  .command('demo')
  .description('fill an empty installation with a small generated catalogue, viewers and their activity')
  .action(async () => demoCommand(await context()));

program
  .command('eval')
  .description('measure the service offline')
  .command('recommendations')
  .description('precision, recall and nDCG at 10 of the served recommendations and a most-popular baseline, on a MovieLens split')
  .requiredOption('--data <dir>', 'MovieLens directory (movies.csv, ratings.csv)')
  .option('--json', 'print { "models": [{ "name", "precisionAt10", "recallAt10", "ndcgAt10" }, …] } instead of a table')
  .action(async (options: { data: string; json?: boolean }) => evalRecommendationsCommand(await context(), options));

projectionsCommands(program, context);
reactorsCommands(program, context);
jobsCommands(program, context);
auditCommands(program, context);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof StartupError) {
    process.stderr.write(`fastflix: ${error.message}\n`);
  } else {
    process.stderr.write(`fastflix: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exitCode = 1;
}
