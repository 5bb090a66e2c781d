import { cpus, totalmem } from 'node:os';
import pg from 'pg';

/** The machine and runtime, for the first line of every benchmark's output. */
export const describeMachine = (): string =>
  `${new Date().toISOString().slice(0, 10)} · ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'} · ${Math.round(totalmem() / 2 ** 30)} GiB · Node ${process.version}`;

/** One line naming the machine, runtime and database, printed at the top of every benchmark. */
export const describeEnvironment = async (databaseUrl: URL): Promise<string> => {
  const client = new pg.Client({ connectionString: databaseUrl.href });
  await client.connect();
  const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
  const sync = (await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit ?? '?';
  await client.end();
  return `${describeMachine()} · PostgreSQL ${version} (synchronous_commit=${sync}) at ${databaseUrl.host}`;
};
