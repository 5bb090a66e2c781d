import { cpus, totalmem } from 'node:os';
import pg from 'pg';

/** One line naming the machine, runtime and database, printed at the top of every benchmark. */
export const describeEnvironment = async (databaseUrl: URL): Promise<string> => {
  const client = new pg.Client({ connectionString: databaseUrl.href });
  await client.connect();
  const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
  const sync = (await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit ?? '?';
  await client.end();
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${new Date().toISOString().slice(0, 10)} · ${cpus().length} × ${cpu} · ${Math.round(totalmem() / 2 ** 30)} GiB · Node ${process.version} · PostgreSQL ${version} (synchronous_commit=${sync}) at ${databaseUrl.host}`;
};
