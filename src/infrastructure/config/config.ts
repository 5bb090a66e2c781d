import { defaultTrendingCron } from '../../queries/trendingMovies/aggregationJob.ts';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import {
  durationSeconds,
  eventStoreConnectionString,
  integerBetween,
  nonEmpty,
  oneOf,
  originList,
  secret,
  someOf,
  urlWithScheme,
} from './envCodecs.ts';
import { fieldErrors } from '../codecs/decodeErrors.ts';
import { LimitsEnvironment, toLimitsConfig, type LimitsConfig } from './limitsConfig.ts';

// model

const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const environments = ['development', 'production', 'test'] as const;
/** The processes of DESIGN.md; one process runs all three unless told otherwise. */
const processRoles = ['api', 'projector', 'scheduler'] as const;

/** Every variable FastFlix reads. Unset optional variables select the embedded defaults (DESIGN.md). */
const BaseEnvironment = t.partial({
  NODE_ENV: oneOf(environments),
  HOST: nonEmpty,
  PORT: integerBetween(0, 65_535),
  CORS_ORIGINS: originList,
  LOG_LEVEL: oneOf(logLevels),
  FASTFLIX_ROLES: someOf(processRoles),
  FASTFLIX_DATA_DIR: nonEmpty,
  DATABASE_URL: urlWithScheme(['postgres:', 'postgresql:']),
  DATABASE_POOL_SIZE: integerBetween(1, 200),
  EMBEDDED_POSTGRES_PORT: integerBetween(1_024, 65_535),
  EVENTSTORE_URL: eventStoreConnectionString,
  REDIS_URL: urlWithScheme(['redis:', 'rediss:']),
  MONGODB_URL: urlWithScheme(['mongodb:', 'mongodb+srv:']),
  SMTP_URL: urlWithScheme(['smtp:', 'smtps:']),
  // Read by the OpenTelemetry SDK itself (tracing/startTracing.ts); named here so a bad one stops the start.
  OTEL_EXPORTER_OTLP_ENDPOINT: urlWithScheme(['http:', 'https:']),
  OTEL_SERVICE_NAME: nonEmpty,
  JWT_SECRET: secret(32),
  ACCESS_TOKEN_TTL: durationSeconds,
  PASSWORD_HASH_COST: integerBetween(10, 20),
  REFRESH_TOKEN_TTL: durationSeconds,
  SESSION_LIFETIME: durationSeconds,
  FASTFLIX_ADMIN_EMAIL: nonEmpty,
  FASTFLIX_ADMIN_PASSWORD: nonEmpty,
  SHUTDOWN_TIMEOUT: durationSeconds,
  READ_YOUR_WRITES_TIMEOUT: durationSeconds,
  QUERY_TIMEOUT: durationSeconds,
  SIMILARITY_REFRESH_INTERVAL: durationSeconds,
  TRENDING_CRON: nonEmpty,
  JOB_RETRY_DELAY: durationSeconds,
  JOB_RETRIES: integerBetween(0, 30),
});
const Environment = t.intersection([BaseEnvironment, LimitsEnvironment]);

/** The name of every variable FastFlix reads (the compose file and the CI workflow set no other). */
export const environmentVariables: readonly string[] = [...Object.keys(BaseEnvironment.props), ...Object.keys(LimitsEnvironment.props)];

export type LogLevel = (typeof logLevels)[number];
export type RuntimeEnvironment = (typeof environments)[number];
export type ProcessRole = (typeof processRoles)[number];

export interface Config {
  readonly environment: RuntimeEnvironment;
  readonly logLevel: LogLevel;
  /** What this process runs: the API, the projector, the scheduler (the last two in threads of their own). */
  readonly roles: readonly ProcessRole[];
  /** Where embedded PostgreSQL, generated secrets and mail files live (`./var`). */
  readonly dataDir: string;
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly shutdownTimeoutMs: number;
    /** Origins whose scripts may call the API (CORS); none unless listed. */
    readonly corsOrigins: readonly string[];
  };
  readonly database: {
    /** Unset: start the embedded PostgreSQL. */
    readonly url: URL | undefined;
    readonly poolSize: number;
    readonly embeddedPort: number;
    /** How long one query of a read may run before it is cancelled and the request answered 503. */
    readonly queryTimeoutMs: number;
  };
  /**
   * Unset: events live in PostgreSQL event tables. A connection string as @eventstore/db-client reads
   * it (a cluster's hosts make it no URL), checked by that client's parser.
   */
  readonly eventStoreUrl: string | undefined;
  readonly redisUrl: URL | undefined;
  readonly mongodbUrl: URL | undefined;
  readonly smtpUrl: URL | undefined;
  readonly auth: {
    /** Unset outside production: a generated secret is kept under `dataDir`. */
    readonly jwtSecret: string | undefined;
    readonly accessTokenTtlSeconds: number;
    readonly refreshTokenTtlSeconds: number;
    /** A session's whole life from sign-in: refreshes never carry it further. */
    readonly sessionLifetimeSeconds: number;
    readonly admin: { readonly email: string; readonly password: string } | undefined;
    /** scrypt's log2(N); see infrastructure/auth/passwords.ts for the choice. */
    readonly passwordHashCost: number;
  };
  readonly readYourWritesTimeoutMs: number;
  /** How often the scheduler looks for new interactions and recomputes the similarity tables. */
  readonly similarityRefreshIntervalMs: number;
  /** When the trending snapshots are computed (TRENDING_CRON, UTC): src/queries/trendingMovies/aggregationJob.ts. */
  readonly trendingCron: string;
  readonly limits: LimitsConfig;
  /** Background jobs (src/infrastructure/jobs): a failed one is retried after retryDelayMs, doubling, `retries` times. */
  readonly jobs: { readonly retryDelayMs: number; readonly retries: number };
}

// constructors

export const defaultEmbeddedPostgresPort = 54_329;

/**
 * Decodes the process environment. The Left is one message naming every bad variable and what
 * was expected, ready to print before exiting.
 */
export const loadConfig = (env: NodeJS.ProcessEnv): E.Either<string, Config> =>
  pipe(
    Environment.decode(withoutBlanks(env)),
    E.mapLeft((errors) =>
      fieldErrors(errors)
        .map(({ path, message }) => `${path} must be ${message.replace(/^expected /, '')}`)
        .join('; '),
    ),
    E.chain(toConfig),
    E.mapLeft((problems) => `Invalid configuration: ${problems}`),
  );

const toConfig = (env: t.TypeOf<typeof Environment>): E.Either<string, Config> => {
  const environment = env.NODE_ENV ?? 'development';
  if (environment === 'production' && env.JWT_SECRET === undefined) {
    return E.left('JWT_SECRET must be set when NODE_ENV=production (at least 32 characters); no default secret is used in production');
  }
  if ((env.FASTFLIX_ADMIN_EMAIL === undefined) !== (env.FASTFLIX_ADMIN_PASSWORD === undefined)) {
    return E.left('FASTFLIX_ADMIN_EMAIL and FASTFLIX_ADMIN_PASSWORD must be set together');
  }
  return E.right({
    environment,
    logLevel: env.LOG_LEVEL ?? (environment === 'test' ? 'warn' : 'info'),
    roles: env.FASTFLIX_ROLES ?? processRoles,
    dataDir: env.FASTFLIX_DATA_DIR ?? 'var',
    http: {
      host: env.HOST ?? '0.0.0.0',
      port: env.PORT ?? 3000,
      shutdownTimeoutMs: (env.SHUTDOWN_TIMEOUT ?? 10) * 1000,
      corsOrigins: env.CORS_ORIGINS ?? [],
    },
    database: {
      url: env.DATABASE_URL,
      poolSize: env.DATABASE_POOL_SIZE ?? 10,
      embeddedPort: env.EMBEDDED_POSTGRES_PORT ?? defaultEmbeddedPostgresPort,
      queryTimeoutMs: (env.QUERY_TIMEOUT ?? 5) * 1000,
    },
    eventStoreUrl: env.EVENTSTORE_URL,
    redisUrl: env.REDIS_URL,
    mongodbUrl: env.MONGODB_URL,
    smtpUrl: env.SMTP_URL,
    auth: {
      jwtSecret: env.JWT_SECRET,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL ?? 15 * 60,
      refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL ?? 30 * 86_400,
      sessionLifetimeSeconds: env.SESSION_LIFETIME ?? 30 * 86_400,
      admin:
        env.FASTFLIX_ADMIN_EMAIL !== undefined && env.FASTFLIX_ADMIN_PASSWORD !== undefined
          ? { email: env.FASTFLIX_ADMIN_EMAIL, password: env.FASTFLIX_ADMIN_PASSWORD }
          : undefined,
      passwordHashCost: env.PASSWORD_HASH_COST ?? 15,
    },
    readYourWritesTimeoutMs: (env.READ_YOUR_WRITES_TIMEOUT ?? 5) * 1000,
    similarityRefreshIntervalMs: (env.SIMILARITY_REFRESH_INTERVAL ?? 30) * 1000,
    trendingCron: env.TRENDING_CRON ?? defaultTrendingCron,
    limits: toLimitsConfig(env),
    // 30 s doubling six times: a mail server down for half an hour loses nothing.
    jobs: { retryDelayMs: (env.JOB_RETRY_DELAY ?? 30) * 1000, retries: env.JOB_RETRIES ?? 6 },
  });
};

/** `PORT=` in a shell or compose file means "not set", not "set to the empty string". */
const withoutBlanks = (env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ''));
