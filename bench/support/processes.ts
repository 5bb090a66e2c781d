import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface RunningProcess {
  readonly child: ChildProcess;
  readonly stop: () => Promise<void>;
}

/**
 * Node's flags for a process a benchmark starts: with BENCH_CPU_PROF_DIR=<folder>, a V8 CPU profile of
 * it is written there when it exits (the flag is not allowed in NODE_OPTIONS).
 */
export const profileFlags = (): string[] =>
  process.env.BENCH_CPU_PROF_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`];

/** Starts a Node process (its stderr shown), and waits until `readyUrl` answers 200. */
export const startHttpProcess = async (args: readonly string[], env: Record<string, string>, readyUrl: string): Promise<RunningProcess> => {
  const child = spawn(process.execPath, [...profileFlags(), ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(process.env.BENCH_NODE_OPTIONS === undefined ? {} : { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS }),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`${args.join(' ')} exited before it was ready`);
    if (Date.now() > deadline) throw new Error(`${readyUrl} did not answer within 60 s`);
    const ok = await fetch(readyUrl).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
};

export const fromBench = (relative: string): string => fileURLToPath(new URL(`../../${relative}`, import.meta.url));
