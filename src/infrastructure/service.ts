import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { auditRoutes } from '../audit/routes.ts';
import { createAdmin, logCreateAdminOutcome } from '../commands/createAdmin/handler.ts';
import { readNotificationRoutes } from '../commands/readNotification/route.ts';
import { liveRoutes } from './http/pages/liveRoutes.ts';
import { userFeedChannel } from '../reactors/liveFeed/userFeed.ts';
import { openSnapshotReader, trendingSnapshotChannel } from '../queries/trendingMovies/snapshots.ts';
import { commandRoutes } from '../commands/routes.ts';
import { loadAccount } from '../commands/shared/accounts.ts';
import { createMovieAvailabilityCache } from '../commands/shared/movieAvailability.ts';
import { countSessionsEnded } from '../commands/shared/sessionsEnded.ts';
import { createStreamStates } from '../commands/shared/streamStates.ts';
import { domainEventDefinitions } from '../domain/events.ts';
import { catalogue } from '../projections/catalogue/projection.ts';
import { ratings } from '../projections/ratings/projection.ts';
import { sessions } from '../projections/sessions/projection.ts';
import { createProjectionPositions } from '../projections/runtime/positions.ts';
import { stoppedAmong } from '../projections/runtime/status.ts';
import { trending } from '../projections/trending/projection.ts';
import { findMovie } from '../queries/getMovie/query.ts';
import { createMovieViewCache } from '../queries/getMovie/movieViews.ts';
import { queryRoutes } from '../queries/routes.ts';
import { createPageCache } from '../queries/shared/pageCache.ts';
import { followReadModelChanges } from '../queries/shared/readModelChanges.ts';
import { readYourWrites } from '../queries/shared/readYourWrites.ts';
import { startLiveFeed, type LiveFeedOptions } from '../reactors/liveFeed/liveFeed.ts';
import { followEndedSessions } from './auth/endedSessions.ts';
import { createGuards } from './auth/guards.ts';
import { createPasswordHasher } from './auth/passwords.ts';
import { createTokenService } from './auth/tokens.ts';
import { eventRegistry } from './eventStore/eventRegistry.ts';
import { openEventStore } from './eventStore/openEventStore.ts';
import { idempotency } from './http/idempotency.ts';
import { scheduleIdempotencySweep } from './http/idempotencySweep.ts';
import { createRateLimits } from './http/rateLimits/rateLimits.ts';
import { randomId } from './ids.ts';
import { createResetOutbox } from './mail/resetOutbox.ts';
import { erasePersonalData } from './personalData/erasure.ts';
import type Router from '@koa/router';
import { Redis } from 'ioredis';
import type { Config } from './config/config.ts';
import type { EventStore } from './eventStore/eventStore.ts';
import { createHttpApp } from './http/app.ts';
import { operationsRoutes, type ReadinessCheck } from './http/health.ts';
import { routesOf, type RouteEntry } from './http/routeTable.ts';
import { apiDocsRoutes, packageVersion } from './http/openapi/docsRoutes.ts';
import { listen } from './http/server.ts';
import type { Logger } from './logging/logger.ts';
import { createMetrics } from './metrics/metrics.ts';
import { openDatabaseServer } from './postgres/database.ts';
import { migrate } from './postgres/migrate.ts';
import { createPool } from './postgres/pool.ts';
import { createQueryPool } from './postgres/slonik.ts';
import { eventStoreCheck, mongodbCheck, postgresCheck, projectionsCheck, redisCheck, smtpCheck } from './readinessChecks.ts';
import { startRoleThread } from './threads/roleThread.ts';
import type { Role } from './threads/roles.ts';

export interface RunningService {
  readonly port: number;
  readonly databaseUrl: URL;
  readonly eventStore: EventStore;
  /** Every route the HTTP API serves, as its routers hold them (tests drive each of them). */
  readonly routes: readonly RouteEntry[];
  /** Where its trending snapshots travel: Redis when set, else this channel between its threads. */
  readonly trendingSnapshots: { readonly redisUrl: URL | undefined; readonly channel: string };
  /** Graceful: stop accepting, finish in-flight requests, close pools, stop embedded PostgreSQL. */
  readonly stop: () => Promise<void>;
}

/**
 * The composition root: builds every adapter from the configuration, wires them to the HTTP routes,
 * and knows how to take it all down again in reverse order.
 */
export interface ServiceOverrides {
  /** Tests move time; nothing else is ever replaced. */
  readonly clock?: () => Date;
  /**
   * For `bench/commands.ts` only, which measures what they cost: no general rate limit and no check
   * of ended sessions. Code alone can set it (no variable, no flag), so no deployment can.
   */
  readonly withoutLimitAndSessionCheck?: true;
}

export const startService = async (config: Config, log: Logger, overrides: ServiceOverrides = {}): Promise<RunningService> => {
  const jwtSecret = config.auth.jwtSecret;
  if (jwtSecret === undefined) throw new Error('no JWT secret: the CLI resolves one before starting the service');
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) => log.warn({ err: error }, 'error while shutting down'));
    }
  };
  try {
    const database = await openDatabaseServer(config, log);
    closers.push(database.stop);
    await migrate(database.url, log);
    const pool = createPool(database.url, config.database.poolSize, 'api');
    closers.push(() => pool.end());

    const { store: eventStore, kind } = await openEventStore(
      { eventStoreUrl: config.eventStoreUrl, secret: config.auth.jwtSecret },
      pool,
      database.url,
      log,
    );
    closers.push(() => eventStore.close());

    const checks: ReadinessCheck[] = [postgresCheck(pool), eventStoreCheck(eventStore, kind)];
    if (config.redisUrl !== undefined) {
      const redis = new Redis(config.redisUrl.href, { lazyConnect: false, maxRetriesPerRequest: 1 });
      redis.on('error', (error) => log.debug({ err: error }, 'redis connection error'));
      closers.push(() => redis.quit());
      checks.push(redisCheck(redis));
    }
    if (config.mongodbUrl !== undefined) {
      const mongo = new MongoClient(config.mongodbUrl.href, { serverSelectionTimeoutMS: 2_000 });
      closers.push(() => mongo.close());
      checks.push(mongodbCheck(mongo));
    }
    if (config.smtpUrl !== undefined) checks.push(smtpCheck(config.smtpUrl));

    const metrics = createMetrics();
    const rateLimits = createRateLimits({ config: config.limits, redisUrl: config.redisUrl, log, registry: metrics.registry });
    closers.push(rateLimits.close);
    // The projector and scheduler processes of DESIGN.md, each in a thread of its own (roleThread.ts).
    const roleSettings = {
      databaseUrl: database.url.href,
      eventStoreUrl: config.eventStoreUrl,
      poolSize: config.database.poolSize,
      redisUrl: config.redisUrl?.href,
      userFeedChannel: config.roles.includes('api') ? userFeedChannel(randomId()) : undefined,
      similarityRefreshIntervalMs: config.similarityRefreshIntervalMs,
      trendingCron: config.trendingCron,
      trendingChannel: trendingSnapshotChannel(randomId()),
      mongodbUrl: config.mongodbUrl?.href,
      jobs: config.jobs,
      mail: { smtpUrl: config.smtpUrl?.href, directory: join(config.dataDir, 'mail') },
      secret: jwtSecret,
    };
    const threadRoles = config.roles.filter((role): role is Role => role !== 'api');
    const threads = await Promise.allSettled(threadRoles.map((role) => startRoleThread(role, roleSettings, log)));
    for (const thread of threads) {
      if (thread.status === 'rejected') continue;
      closers.push(thread.value.stop);
      metrics.addExposition(thread.value.metrics);
    }
    const failed = threads.find((thread): thread is PromiseRejectedResult => thread.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    checks.push(projectionsCheck(pool, eventStore));

    let liveFeedAuth: Pick<LiveFeedOptions, 'tokens' | 'endedSessions' | 'now'> | undefined;
    /** The `api` role: commands and queries. */
    const apiRoutes = async (): Promise<Router[]> => {
      const registry = eventRegistry(domainEventDefinitions);
      const environment = { store: eventStore, registry };
      const clock = overrides.clock ?? ((): Date => new Date());
      const movieAvailability = await createMovieAvailabilityCache(environment, log);
      closers.push(movieAvailability.close);
      const tokens = createTokenService({
        secret: jwtSecret,
        accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
        refreshTokenTtlSeconds: config.auth.refreshTokenTtlSeconds,
        sessionLifetimeSeconds: config.auth.sessionLifetimeSeconds,
        nowSeconds: () => clock().getTime() / 1000,
      });
      const endedSessions = await followEndedSessions({
        store: eventStore,
        log,
        accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
        now: () => clock().getTime(),
      });
      closers.push(endedSessions.close);
      const positions = await createProjectionPositions(
        pool,
        { connectionString: database.url.href, application_name: 'fastflix-positions' },
        log,
      );
      closers.push(positions.close);
      const db = await createQueryPool(database.url, config.database.poolSize, config.database.queryTimeoutMs);
      closers.push(() => db.end());
      liveFeedAuth = { tokens, endedSessions, now: () => clock().getTime() };
      const idempotencySweep = scheduleIdempotencySweep({
        pool,
        clock,
        ttlSeconds: config.limits.idempotencyKeyTtlSeconds,
        everyMs: 10 * 60_000,
        log,
        registry: metrics.registry,
      });
      closers.push(idempotencySweep.close);
      const dependencies = {
        ...environment,
        // Commands only: reads that must see the stream as it is now (a role check) use `environment`.
        streamStates: createStreamStates(),
        clock,
        newId: randomId,
        passwords: rateLimits.gate(
          createPasswordHasher(config.auth.passwordHashCost, (operation) => metrics.passwordHashes.inc({ operation })),
        ),
        limits: rateLimits.routes,
        tokens,
        guards: createGuards(
          tokens,
          async (userId) => {
            const account = await loadAccount(environment, userId);
            return account.status === 'active' ? account.role : undefined;
          },
          overrides.withoutLimitAndSessionCheck === true ? undefined : endedSessions,
        ),
        idempotent: idempotency({
          pool,
          clock,
          ttlSeconds: config.limits.idempotencyKeyTtlSeconds,
          limiter: rateLimits.routes.idempotencyKeys,
          rejected: rateLimits.rejected,
        }),
        movieAvailability: movieAvailability.availability,
        movieArchived: movieAvailability.archived,
        countSessionsEnded: countSessionsEnded(
          db,
          (position, timeoutMs) => positions.waitFor([sessions.name], position, timeoutMs),
          config.readYourWritesTimeoutMs,
        ),
        // The reset mail's token waits here for the mail job of the scheduler role (src/reactors/mail).
        resetOutbox: createResetOutbox(pool, jwtSecret),
        // Forgetting an account destroys its personal-data key (src/infrastructure/personalData).
        erasePersonalData: erasePersonalData(pool),
      };
      if (config.auth.admin !== undefined) {
        logCreateAdminOutcome(log, config.auth.admin.email, await createAdmin(dependencies, config.auth.admin));
      }

      const catalogueChanges = await followReadModelChanges({ store: eventStore, readModels: [catalogue, ratings], positions, log });
      closers.push(catalogueChanges.close);
      const trendingChanges = await followReadModelChanges({
        store: eventStore,
        readModels: [trending, catalogue, ratings],
        positions,
        log,
      });
      closers.push(trendingChanges.close);
      const movieViews = createMovieViewCache({ changes: catalogueChanges, read: (idOrSlug) => findMovie(db, idOrSlug) });
      const now = (): number => clock().getTime();
      const searchResults = createPageCache({ changes: catalogueChanges, now });
      const trendingResults = createPageCache({ changes: trendingChanges, now, maxCharacters: 4 * 2 ** 20 });
      const consistentWith = readYourWrites(positions, config.readYourWritesTimeoutMs, stoppedAmong(pool));
      // The rankings the scheduler computes (its trending-aggregation job), in Redis or from its thread.
      const trendingSnapshots = openSnapshotReader({ redisUrl: config.redisUrl, channel: roleSettings.trendingChannel, log });
      closers.push(trendingSnapshots.close);
      const queries = queryRoutes({
        ...dependencies,
        db,
        movieViews,
        searchResults,
        trendingResults,
        trendingSnapshots,
        trendingChanges,
        consistentWith,
      });
      const audit = auditRoutes({ pool, store: eventStore, registry, guards: dependencies.guards, postgresLog: kind === 'postgres' });
      return [commandRoutes(dependencies), readNotificationRoutes({ ...dependencies, db, consistentWith }), queries, audit, liveRoutes()];
    };
    const routers: Router[] = [operationsRoutes(checks, metrics), ...(config.roles.includes('api') ? await apiRoutes() : [])];
    // The API's documentation describes every router, its own included.
    if (config.roles.includes('api')) routers.push(apiDocsRoutes(() => routers, { title: 'FastFlix', version: packageVersion }));
    const app = createHttpApp({
      log,
      metrics,
      routers,
      trustProxyHops: config.limits.trustProxyHops,
      limit: overrides.withoutLimitAndSessionCheck === true ? undefined : rateLimits.general,
      corsOrigins: config.http.corsOrigins,
    });
    const server = await listen(app, { ...config.http, log });
    closers.push(server.close);
    if (liveFeedAuth !== undefined) {
      const feed = await startLiveFeed({
        server: server.server,
        store: eventStore,
        redisUrl: config.redisUrl,
        userFeedChannel: roleSettings.userFeedChannel ?? userFeedChannel(randomId()),
        log,
        registry: metrics.registry,
        ...liveFeedAuth,
      });
      closers.push(feed.close);
    }
    log.info({ port: server.port, embeddedPostgres: database.embedded, roles: config.roles }, 'FastFlix is listening');

    return {
      port: server.port,
      databaseUrl: database.url,
      eventStore,
      routes: routesOf(routers),
      trendingSnapshots: { redisUrl: config.redisUrl, channel: roleSettings.trendingChannel },
      stop: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
};
