import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../support/postgresServer.ts';

// A PostgreSQL cluster of the fault specs' own, which they may stop and start at will: the shared
// server at 5432 serves every other spec (and other people's), so it is never the one restarted.
// Made with the system's PostgreSQL binaries (POSTGRES_BIN, else the newest /usr/lib/postgresql/*/bin),
// run as the `postgres` OS user, as PostgreSQL refuses to run as root.

const run = promisify(execFile);

export interface PrivatePostgres {
  /** A database of the cluster, `fastflix`, for DATABASE_URL. */
  readonly url: URL;
  /** Immediate shutdown: every connection is cut at once, as by a crash or a failover. */
  readonly stop: () => Promise<void>;
  readonly start: () => Promise<void>;
  /** Stops the cluster and removes its folder. */
  readonly remove: () => Promise<void>;
}

const binaries = (): string | undefined => {
  if (process.env.POSTGRES_BIN !== undefined && process.env.POSTGRES_BIN !== '') return process.env.POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const newest = readdirSync(root)
    .filter((version) => existsSync(join(root, version, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a))[0];
  return newest === undefined ? undefined : join(root, newest, 'bin');
};

const postgresUser = (): { uid: number; gid: number } | undefined => {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid === undefined || gid === undefined ? undefined : { uid: Number(uid), gid: Number(gid) };
};

/** Why a private cluster cannot be made here, or undefined when it can. */
export const privatePostgresMissing = (): string | undefined => {
  const bin = binaries();
  if (bin === undefined || !existsSync(join(bin, 'initdb'))) return 'no PostgreSQL binaries (set POSTGRES_BIN to their folder)';
  const isRoot = process.getuid?.() === 0;
  if (isRoot && postgresUser() === undefined) return 'running as root and there is no postgres OS user to run PostgreSQL as';
  return undefined;
};

export const startPrivatePostgres = async (): Promise<PrivatePostgres> => {
  const bin = binaries();
  if (bin === undefined) throw new Error('no PostgreSQL binaries');
  const dir = await mkdtemp(join(tmpdir(), 'fastflix-faults-pg-'));
  const data = join(dir, 'data');
  const user = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (user !== undefined) await chown(dir, user.uid, user.gid);
  const as = user === undefined ? {} : { uid: user.uid, gid: user.gid };
  const port = await freePort();
  await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], {
    ...as,
    env: { ...process.env, LC_ALL: 'C' },
  });
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    // Speed only: the host does not crash under a spec, and an immediate stop keeps what the OS holds.
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  const pgCtl = (...args: string[]): Promise<unknown> => run(join(bin, 'pg_ctl'), ['-D', data, ...args], as);
  const start = async (): Promise<void> => {
    await pgCtl('-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start');
  };
  const stop = async (): Promise<void> => {
    await pgCtl('-m', 'immediate', '-w', 'stop');
  };
  await start();
  await run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'fastflix'], as);
  let removed = false;
  return {
    url: new URL(`postgres://postgres@127.0.0.1:${port}/fastflix`),
    stop,
    start,
    remove: async () => {
      if (removed) return;
      removed = true;
      await stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
};
