import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/fastflix.js', import.meta.url));

export interface CliRun {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** The parsed JSON log lines written so far. */
  readonly logLines: () => Record<string, unknown>[];
}

/** Runs `fastflix <args>` as a user would, with exactly the environment given (plus PATH and HOME). */
export const runCli = (args: readonly string[], env: Record<string, string>): CliRun => {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const logLines = (): Record<string, unknown>[] =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, stdout: () => stdout, stderr: () => stderr, exited, logLines };
};

/** Waits until a log line satisfies `match`, or the process exits (which fails the wait). */
export const waitForLog = async (
  run: CliRun,
  match: (line: Record<string, unknown>) => boolean,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> => {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void run.exited.then(() => (exited = true));
  for (;;) {
    const found = run.logLines().find(match);
    if (found !== undefined) return found;
    if (exited) throw new Error(`the process exited before logging what was awaited:\n${run.stdout()}\n${run.stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for a log line:\n${run.stdout()}\n${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};
