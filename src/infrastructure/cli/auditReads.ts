import { actorEvents } from '../../audit/actor.ts';
import { stateAsOf } from '../../audit/asOf.ts';
import { describePoint, type LogPoint } from '../../audit/point.ts';
import { streamEvents } from '../../audit/stream.ts';
import { traceEvents } from '../../audit/trace.ts';
import { eventsTable, viewOf, type AuditEventView } from '../../audit/view.ts';
import { StartupError } from '../postgres/database.ts';
import type { CliContext } from './main.ts';
import { openReadSide, type ReadSide } from './readSide.ts';

// `audit stream|as-of|actor|trace`: reads of the log, printed as a table or JSON.

const pageSize = 5_000;

export const withReadSide = async <T>(context: CliContext, work: (readSide: ReadSide) => Promise<T>): Promise<T> => {
  const readSide = await openReadSide(context);
  try {
    return await work(readSide);
  } finally {
    await readSide.close();
  }
};

/** The commands that read the event tables directly, with what EventStoreDB lacks for them. */
export const requirePostgres = (context: CliContext, command: string, why: string): void => {
  if (context.config.eventStoreUrl !== undefined) {
    throw new StartupError(
      `audit ${command} reads the PostgreSQL event tables (${why}); with EVENTSTORE_URL the log is in EventStoreDB, where it is not available`,
    );
  }
};

const print = (views: readonly AuditEventView[], json: boolean | undefined, withStream: boolean): void => {
  process.stdout.write(json === true ? `${JSON.stringify(views, null, 2)}\n` : eventsTable(views, withStream));
};

export const streamCommand = (context: CliContext, raw: string, options: { json?: boolean }): Promise<void> =>
  withReadSide(context, async ({ store }) => {
    const found = await streamEvents(store, raw);
    if (found.outcome === 'invalid') throw new StartupError(`not a stream name: ${found.reason}`);
    if (found.outcome === 'unknown') throw new StartupError(`no stream ${found.stream} in the log`);
    print(found.events.map(viewOf), options.json, false);
  });

export const asOfCommand = (context: CliContext, raw: string, at: LogPoint): Promise<void> =>
  withReadSide(context, async ({ store, registry }) => {
    const found = await stateAsOf(store, registry, raw, at);
    switch (found.outcome) {
      case 'invalid':
        throw new StartupError(`not a stream name: ${found.reason}`);
      case 'unknown':
        throw new StartupError(`no stream ${found.stream} in the log`);
      case 'no-decider':
      case 'undecodable':
        throw new StartupError(found.reason);
      case 'found':
        process.stdout.write(
          `${JSON.stringify(
            {
              stream: found.stream,
              at: describePoint(at),
              revision: found.revision?.toString() ?? null,
              position: found.position?.toString() ?? null,
              eventsFolded: found.eventsFolded,
              eventsAfter: found.eventsAfter,
              state: found.state,
            },
            null,
            2,
          )}\n`,
        );
    }
  });

export const actorCommand = (
  context: CliContext,
  actor: string,
  options: { from?: LogPoint; to?: LogPoint; json?: boolean },
): Promise<void> => {
  requirePostgres(context, 'actor', 'its index on actor ids');
  return withReadSide(context, async ({ pool }) => {
    const views: AuditEventView[] = [];
    for (let after: bigint | undefined; ;) {
      const page = await actorEvents(pool, actor, { from: options.from, to: options.to, after, limit: pageSize });
      if (page.outcome === 'unknown') throw new StartupError(`no user ${actor} in the log: no account stream and no event caused by them`);
      views.push(...page.events.map(viewOf));
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    print(views, options.json, true);
  });
};

export const traceCommand = (context: CliContext, correlation: string, options: { json?: boolean }): Promise<void> => {
  requirePostgres(context, 'trace', 'its indexes on correlation and causation ids');
  return withReadSide(context, async ({ pool }) => {
    const traced: { view: AuditEventView; via: string }[] = [];
    for (let after: bigint | undefined; ;) {
      const page = await traceEvents(pool, correlation, { after, limit: pageSize });
      if (page.outcome === 'unknown') throw new StartupError(`no event in the log has correlation id ${correlation}`);
      traced.push(...page.events.map(({ event, via }) => ({ view: viewOf(event), via })));
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    if (options.json === true) {
      process.stdout.write(
        `${JSON.stringify(
          traced.map(({ view, via }) => ({ ...view, via })),
          null,
          2,
        )}\n`,
      );
    } else {
      print(
        traced.map(({ view }) => view),
        false,
        true,
      );
    }
  });
};
