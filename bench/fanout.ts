import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenService } from '../src/infrastructure/auth/tokens.ts';
import { randomId } from '../src/infrastructure/ids.ts';
import { freePort } from '../test/support/postgresServer.ts';
import type { FromClients, ToClients } from './fanout/clients.ts';
import { machineBusySeconds, processCpuSeconds } from './support/cpuTime.ts';
import { describeMachine } from './support/environment.ts';
import { fromBench, startHttpProcess } from './support/processes.ts';
import { round, summarise, table, whole } from './support/stats.ts';

// `npm run bench -- fanout`: `fastflix serve` (embedded default) in a process of its own, and a load
// process holding BENCH_CLIENTS (5,000) socket.io-client connections over WebSocket. Phase 1: an
// admin adds movies one at a time; for each, the time from the HTTP answer to each client's receipt
// of movie.added. Phase 2: every client drops and reconnects at once with `since` = the last position
// it has, while movies keep arriving; the time from reconnecting to `live` (replay done), and whether
// each client then holds every movie exactly once, in order.

const clientCount = Number(process.env.BENCH_CLIENTS ?? 5_000);
const phaseOneMovies = Number(process.env.BENCH_MOVIES ?? 20);
const loadProcesses = Number(process.env.BENCH_LOAD_PROCESSES ?? 1);
// Each movie.added is a write to every socket: at one every 100 ms, 50,000 writes a second for 5,000 clients.
const reconnectMovieMs = Number(process.env.BENCH_RECONNECT_MOVIE_MS ?? 100);
const admin = { email: 'bench-admin@fastflix.test', password: 'bench admin password' };
const secret = `bench-secret-${randomUUID()}-${randomUUID()}`;
const now = (): number => performance.timeOrigin + performance.now();

const post = async (base: string, path: string, body: unknown, token?: string): Promise<Record<string, unknown>> => {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
};

export const main = async (): Promise<void> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fastflix-bench-'));
  await chmod(dataDir, 0o755);
  const servicePort = await freePort();
  const base = `http://127.0.0.1:${servicePort}`;
  const service = await startHttpProcess(
    [fromBench('bin/fastflix.js'), 'serve'],
    {
      HOST: '127.0.0.1',
      PORT: String(servicePort),
      LOG_LEVEL: 'warn',
      FASTFLIX_DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      JWT_SECRET: secret,
      FASTFLIX_ADMIN_EMAIL: admin.email,
      FASTFLIX_ADMIN_PASSWORD: admin.password,
    },
    `${base}/readyz`,
  );
  // BENCH_LOAD_PROCESSES (default 1) load processes share the clients between them.
  const loads = Array.from({ length: loadProcesses }, () =>
    fork(fromBench('bench/fanout/clients.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  // CPU seconds of the service, of the load processes, and of the machine, to say which bounds phase 2.
  const cpuNow = async (): Promise<{ service?: number; loads?: number; machine?: number }> => {
    const loadsUsed = await Promise.all(loads.map((load) => processCpuSeconds(load.pid)));
    return {
      service: await processCpuSeconds(service.child.pid),
      loads: loadsUsed.some((used) => used === undefined) ? undefined : sum(loadsUsed.map((used) => used ?? 0)),
      machine: await machineBusySeconds(),
    };
  };
  const cpuSince = (before: Awaited<ReturnType<typeof cpuNow>>, after: Awaited<ReturnType<typeof cpuNow>>, wallMs: number) => {
    const used = (key: 'service' | 'loads' | 'machine'): string => {
      const [from, to] = [before[key], after[key]];
      return from === undefined || to === undefined ? 'n/a' : round(to - from);
    };
    return { service: used('service'), loads: used('loads'), machine: used('machine'), wallMs };
  };
  /** Sends each load process its message (by its index), and gathers their answers of the kind named. */
  const ask = <K extends FromClients['kind']>(
    message: (index: number) => ToClients,
    answer: K,
  ): Promise<Extract<FromClients, { kind: K }>[]> =>
    Promise.all(
      loads.map(
        (load, index) =>
          new Promise<Extract<FromClients, { kind: K }>>((resolve) => {
            const listener = (reply: FromClients): void => {
              if (reply.kind !== answer) return;
              load.off('message', listener);
              resolve(reply as Extract<FromClients, { kind: K }>);
            };
            load.on('message', listener);
            load.send(message(index));
          }),
      ),
    );
  const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);
  try {
    console.log(
      `${describeMachine()} · shared with other sessions' work while it ran · ${whole(clientCount)} clients in ${loadProcesses} load process(es)`,
    );
    const adminToken = String((await post(base, '/auth/login', admin)).accessToken);
    // Viewers' access tokens minted with the service's secret: 5,000 sign-ups would only measure scrypt.
    const tokens = createTokenService({
      secret,
      accessTokenTtlSeconds: 3_600,
      refreshTokenTtlSeconds: 3_600,
      nowSeconds: () => Date.now() / 1000,
    });
    const viewerTokens = Array.from(
      { length: clientCount },
      () => tokens.issueAccessToken({ sub: randomId(), role: 'user', sid: randomId() }).token,
    );
    const share = Math.ceil(clientCount / loadProcesses);
    const connectedEach = await ask(
      (index) => ({ kind: 'connect', base, tokens: viewerTokens.slice(index * share, (index + 1) * share) }),
      'connected',
    );
    const connected = { ms: Math.max(...connectedEach.map((reply) => reply.ms)), failed: sum(connectedEach.map((reply) => reply.failed)) };
    console.log(`connected ${whole(clientCount - connected.failed)} of ${whole(clientCount)} in ${whole(connected.ms)} ms`);

    let n = 0;
    const addMovie = async (): Promise<{ position: string; answeredAt: number }> => {
      const body = await post(
        base,
        '/movies',
        { title: `Fanout ${n++}`, year: 2001, genres: ['drama'], overview: 'For the benchmark.' },
        adminToken,
      );
      return { position: String(body.position), answeredAt: now() };
    };
    const phaseOne: { position: string; answeredAt: number }[] = [];
    for (let i = 0; i < phaseOneMovies; i++) {
      phaseOne.push(await addMovie());
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const receipts = (await ask(() => ({ kind: 'receipts' }), 'receipts')).flatMap((reply) => reply.receipts);
    const answered = new Map(phaseOne.map((movie) => [movie.position, movie.answeredAt]));
    const latencies: number[] = [];
    let missed = 0;
    for (const client of receipts) {
      const got = new Map(client);
      for (const [position, answeredAt] of answered) {
        const at = got.get(position);
        if (at === undefined) missed++;
        else latencies.push(at - answeredAt);
      }
    }
    const fanout = summarise(latencies);

    // Phase 2: movies keep arriving (one every BENCH_RECONNECT_MOVIE_MS, 100 by default) while
    // everyone drops and reconnects with since.
    const phaseTwo: string[] = [];
    let adding = true;
    const keepAdding = (async () => {
      while (adding) {
        phaseTwo.push((await addMovie()).position);
        await new Promise((resolve) => setTimeout(resolve, reconnectMovieMs));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cpuBefore = await cpuNow();
    const reconnectStarted = performance.now();
    const reconnectedEach = await ask(() => ({ kind: 'reconnect' }), 'reconnected');
    const reconnectCpu = cpuSince(cpuBefore, await cpuNow(), performance.now() - reconnectStarted);
    const reconnected = {
      catchUpMs: reconnectedEach.flatMap((reply) => reply.catchUpMs),
      handshakeMs: reconnectedEach.flatMap((reply) => reply.handshakeMs),
      failed: sum(reconnectedEach.map((reply) => reply.failed)),
      resyncs: sum(reconnectedEach.map((reply) => reply.resyncs)),
    };
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    adding = false;
    await keepAdding;
    phaseTwo.push((await addMovie()).position);
    const positions = [...phaseOne.map((movie) => movie.position), ...phaseTwo];
    const checkedEach = await ask(() => ({ kind: 'check', positions }), 'checked');
    const checked = {
      complete: sum(checkedEach.map((reply) => reply.complete)),
      gaps: sum(checkedEach.map((reply) => reply.gaps)),
      duplicates: sum(checkedEach.map((reply) => reply.duplicates)),
      late: sum(checkedEach.map((reply) => reply.late)),
    };
    const catchUp = summarise(reconnected.catchUpMs);
    const handshakes = summarise(reconnected.handshakeMs);

    console.log(
      table(
        ['scenario', 'clients', 'messages', 'p50 ms', 'p99 ms', 'max ms', 'missed', 'target'],
        [
          [
            'movie.added: HTTP answer → receipt',
            whole(clientCount - connected.failed),
            whole(latencies.length),
            round(fanout.p50),
            round(fanout.p99),
            round(fanout.max),
            whole(missed),
            'p99 ≤ 250 ms, none missed',
          ],
          [
            'all reconnect with since: reconnect → live',
            whole(reconnected.catchUpMs.length),
            `${whole(phaseOne.length + phaseTwo.length)} movies each`,
            round(catchUp.p50),
            round(catchUp.p99),
            round(catchUp.max),
            `${whole(checked.gaps)} gaps, ${whole(checked.duplicates)} dups`,
            'p99 ≤ 2 s, no gap or duplicate',
          ],
        ],
      ),
    );
    console.log(
      `\nof which the handshakes (reconnect → connect): p50 ${round(handshakes.p50)} ms, p99 ${round(handshakes.p99)} ms, max ${round(handshakes.max)} ms`,
      `\nCPU while they reconnected, a movie added every ${reconnectMovieMs} ms (${whole(reconnectCpu.wallMs)} ms): the service ${reconnectCpu.service} s, the load process(es) ${reconnectCpu.loads} s, the whole machine ${reconnectCpu.machine} s of ${round((availableParallelism() * reconnectCpu.wallMs) / 1000)} on its ${availableParallelism()} cores`,
    );
    console.log(
      `after the reconnection: ${whole(checked.complete)} of ${whole(clientCount)} clients hold every movie exactly once in order; ` +
        `${whole(reconnected.failed)} reconnections failed, ${whole(reconnected.resyncs)} resyncs, ${whole(checked.late)} clients without the last movie after 30 s`,
    );
  } finally {
    for (const load of loads) load.send({ kind: 'exit' } satisfies ToClients);
    await service.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
};
