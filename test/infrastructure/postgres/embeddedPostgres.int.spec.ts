import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../../src/infrastructure/postgres/embeddedPostgres.ts';
import { freePort, testLog } from '../../support/postgresServer.ts';

// How the embedded default is reached: through its Unix socket where the path allows, else loopback TCP.

const clientAddress = async (url: URL): Promise<string | null> => {
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  try {
    const result = await client.query<{ address: string | null }>('SELECT host(inet_client_addr()) AS address');
    return result.rows[0]?.address ?? null;
  } finally {
    await client.end();
  }
};

const withEmbedded = async (dataDir: string, check: (url: URL) => Promise<void>): Promise<void> => {
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'fastflix_socket', log: testLog });
  try {
    await check(server.url);
  } finally {
    await server.stop({ evenIfShared: true });
  }
};

describe('the embedded PostgreSQL connection', function () {
  this.timeout(120_000);
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'fastflix-socket-'));
    // Run as root, the server runs as the postgres user, which must be able to enter the folder.
    await chmod(root, 0o755);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('goes through the Unix socket in the cluster folder', async () => {
    await withEmbedded(root, async (url) => {
      expect(decodeURIComponent(url.hostname)).to.equal(join(root, 'postgres'));
      // inet_client_addr() is null on a Unix-socket connection.
      expect(await clientAddress(url)).to.equal(null);
    });
  });

  it('stays on TCP when the socket path would be too long for the operating system', async () => {
    const deep = join(root, 'a-folder-name-long-enough'.repeat(4));
    await withEmbedded(deep, async (url) => {
      expect(url.hostname).to.equal('127.0.0.1');
      expect(await clientAddress(url)).to.equal('127.0.0.1');
    });
  });
});
