import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../../support/postgresServer.ts';
import { testJwtSecret } from '../../support/testService.ts';
import { waitFor } from '../../support/waitFor.ts';

// `fastflix serve` (what `npm start` runs) on a terminal: run under script(1), which gives it a
// pseudo-terminal, it logs readable lines; through a pipe, JSON lines (cliProcess.ts reads those).

const bin = fileURLToPath(new URL('../../../bin/fastflix.js', import.meta.url));
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('fastflix serve on a terminal', function () {
  this.timeout(90_000);
  let database: TestDatabase;
  let dataDir: string;

  before(async function () {
    // script(1) is util-linux's; a machine without it cannot give the process a terminal.
    if (!hasScript) this.skip();
    database = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'fastflix-pretty-'));
  });
  after(async () => {
    await database?.drop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  const serve = (args: readonly string[]) => {
    const child = spawn('script', ['-qec', [process.execPath, bin, 'serve', ...args].join(' '), '/dev/null'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATABASE_URL: database.url.href,
        HOST: '127.0.0.1',
        PORT: '0',
        JWT_SECRET: testJwtSecret,
        FASTFLIX_DATA_DIR: dataDir,
        PASSWORD_HASH_COST: '10',
        LOG_LEVEL: 'info',
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const stop = async (): Promise<void> => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
      await exited;
    };
    return { output: () => output, stop };
  };

  const listeningPort = (output: string): number | undefined => {
    const match = /FastFlix is listening port=(\d+)/.exec(output);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  };

  it('prints readable lines, not JSON, request lines included', async () => {
    const run = serve([]);
    try {
      await waitFor(() => listeningPort(run.output()) !== undefined, 60_000);
      await fetch(`http://127.0.0.1:${listeningPort(run.output())}/healthz`);
      await waitFor(() => run.output().includes('route=/healthz'), 10_000);
      // The level is coloured on a terminal; the colour codes are left out to read the rest.
      expect(run.output()).to.include('\u001b[32mINFO \u001b[0m');
      const lines = run
        .output()
        .split(/\r?\n/)
        .map((line) => line.replaceAll('\u001b[32m', '').replaceAll('\u001b[0m', ''))
        .filter((line) => line.trim() !== '');
      expect(lines.filter((line) => line.startsWith('{'))).to.deep.equal([]);
      expect(lines.some((line) => /^\d\d:\d\d:\d\d\.\d{3} INFO {2}FastFlix is listening port=\d+/.test(line))).to.equal(true);
      expect(
        lines.some((line) => / INFO {2}request req_id=\S+ method=GET url=\/healthz route=\/healthz status=200 ms=/.test(line)),
      ).to.equal(true);
    } finally {
      await run.stop();
    }
  });

  it('prints JSON on a terminal when asked with --log-format json', async () => {
    const run = serve(['--log-format', 'json']);
    try {
      await waitFor(() => /"msg":"FastFlix is listening"/.test(run.output()), 60_000);
      const line =
        run
          .output()
          .split(/\r?\n/)
          .find((candidate) => candidate.includes('FastFlix is listening')) ?? '';
      expect(JSON.parse(line)).to.include({ msg: 'FastFlix is listening', level: 30 });
    } finally {
      await run.stop();
    }
  });
});
