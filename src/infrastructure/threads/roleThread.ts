import bunyan from 'bunyan';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logging/logger.ts';
import type { Role, RoleSettings } from './roles.ts';

export interface ThreadData {
  readonly role: Role;
  readonly settings: RoleSettings;
  readonly logLevel: number;
}
export type ToThread = { readonly kind: 'metrics'; readonly id: number } | { readonly kind: 'stop' };
export type FromThread =
  | { readonly kind: 'started' }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'log'; readonly record: object }
  | { readonly kind: 'metrics'; readonly id: number; readonly text: string }
  | { readonly kind: 'stopped' };

export interface RoleThread {
  /** The role's metrics in the Prometheus text format; empty while it is not running. */
  readonly metrics: () => Promise<string>;
  readonly stop: () => Promise<void>;
}

export interface ThreadOptions {
  readonly restartDelayMs?: number;
  /** The thread's module; tests give one that misbehaves on purpose. */
  readonly entry?: URL;
}

const metricsTimeoutMs = 2_000;

// Run from the TypeScript sources (npx fastflix, tests), the thread loads them through tsx as the main
// thread does (bin/typescriptWorker.js); from a build, the compiled file.
const fromSources = import.meta.url.endsWith('.ts');
const defaultEntry = new URL(fromSources ? './roleWorker.ts' : './roleWorker.js', import.meta.url);
const workerEntry = (entry: URL, data: ThreadData): { source: URL; workerData: ThreadData & { typescriptEntry?: string } } =>
  entry.pathname.endsWith('.ts')
    ? { source: new URL('../../../bin/typescriptWorker.js', import.meta.url), workerData: { ...data, typescriptEntry: entry.href } }
    : { source: entry, workerData: data };

/**
 * A process of DESIGN.md (the projector, the scheduler) in a worker thread of the API's process: the
 * embedded default runs all of them in one, and in threads of their own their work neither waits
 * behind HTTP requests nor holds them up, nor each other (a similarity computation does not stall the
 * projectors). A role shares nothing with the API but the database: the projector's positions reach
 * the API's read-your-writes through NOTIFY, as from any other process. Should a thread die, it is
 * started again.
 */
export const startRoleThread = async (
  role: Role,
  settings: RoleSettings,
  log: Logger,
  options: ThreadOptions = {},
): Promise<RoleThread> => {
  const restartDelayMs = options.restartDelayMs ?? 1_000;
  const threadLog = log.child({ thread: role });
  const data: ThreadData = { role, settings, logLevel: log.level() };
  const pending = new Map<number, (text: string) => void>();
  let nextId = 0;
  let stopping = false;
  let worker: Worker | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let exited: Promise<void> = Promise.resolve();

  const relay = (record: object): void => {
    const { level, msg, time: _time, v: _v, name: _name, hostname: _hostname, pid: _pid, ...fields } = record as Record<string, unknown>;
    const method = bunyan.nameFromLevel[Number(level)] as 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | undefined;
    threadLog[method ?? 'info'](fields, String(msg));
  };

  const start = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const entry = workerEntry(options.entry ?? defaultEntry, data);
      const thread = new Worker(entry.source, { workerData: entry.workerData });
      worker = thread;
      let started = false;
      exited = new Promise<void>((done) => thread.once('exit', () => done()));
      thread.on('message', (message: FromThread) => {
        if (message.kind === 'log') relay(message.record);
        else if (message.kind === 'metrics') pending.get(message.id)?.(message.text);
        // Its role has closed everything it opened; what may still hold the thread are timers that
        // only sleep (Agenda's lock watchdog sleeps half a lock lifetime after each run).
        else if (message.kind === 'stopped') void thread.terminate();
        else if (message.kind === 'started') {
          started = true;
          resolve();
        } else if (message.kind === 'failed') {
          reject(new Error(message.message));
          // Whatever its failed start left open goes with it, rather than linger beside the next attempt.
          void thread.terminate();
        }
      });
      thread.on('error', (error) => {
        if (!started) reject(error);
        else threadLog.error({ err: error }, `the ${role} thread failed`);
      });
      thread.once('exit', (code) => {
        if (worker === thread) worker = undefined;
        pending.forEach((answer) => answer(''));
        pending.clear();
        if (!started) {
          reject(new Error(`the ${role} thread exited (code ${code}) before it started`));
          return;
        }
        if (stopping) return;
        threadLog.error({ code }, `the ${role} thread exited; starting it again in ${restartDelayMs} ms`);
        restartLater();
      });
    });

  // Until it starts (the database may be down just then), or the service stops.
  const restartLater = (): void => {
    restartTimer = setTimeout(() => {
      if (stopping) return;
      start().catch((error: unknown) => {
        threadLog.error({ err: error }, `the ${role} thread could not start again; trying again in ${restartDelayMs} ms`);
        restartLater();
      });
    }, restartDelayMs);
  };

  await start();
  return {
    metrics: () => {
      const thread = worker;
      if (thread === undefined) return Promise.resolve('');
      const id = nextId++;
      return new Promise<string>((resolve) => {
        const timer = setTimeout(() => answer(''), metricsTimeoutMs);
        const answer = (text: string): void => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(text);
        };
        pending.set(id, answer);
        thread.postMessage({ kind: 'metrics', id } satisfies ToThread);
      });
    },
    stop: async () => {
      stopping = true;
      clearTimeout(restartTimer);
      worker?.postMessage({ kind: 'stop' } satisfies ToThread);
      await exited;
    },
  };
};
