import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { freePort } from '../../support/postgresServer.ts';

// A Redis server of the fault spec's own, a child process it may stop and start: the shared one at
// 6379 serves every other spec.

export interface PrivateRedis {
  readonly url: URL;
  readonly stop: () => Promise<void>;
  readonly start: () => Promise<void>;
}

export const privateRedisMissing = (): string | undefined =>
  spawnSync('redis-server', ['--version']).status === 0 ? undefined : 'no redis-server on the PATH';

const answers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });

export const startPrivateRedis = async (): Promise<PrivateRedis> => {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await answers(port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: new URL(`redis://127.0.0.1:${port}`), stop, start };
};
