import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/postgresServer.ts';
import { startSmtpServer } from '../test/support/smtpServer.ts';
import { describeMachine } from './support/environment.ts';
import { fromBench, startHttpProcess } from './support/processes.ts';
import { round, summarise, table, whole } from './support/stats.ts';

// `npm run bench -- mail`: `fastflix serve` (embedded default, all roles) in a process of its own, its
// SMTP_URL a real SMTP server (smtp-server) in this process. BENCH_RATE (20) registrations a second
// for BENCH_SECONDS (30), sent open-loop (on time, whatever the answers); for each, the time from the
// answer to the registration (sent once UserRegistered is committed) to the welcome mail handed to the
// SMTP server (its DATA ended), and from the request sent, which adds the registration itself
// (scrypt at the production cost, PASSWORD_HASH_COST 15 unless BENCH_HASH_COST says otherwise).

const rate = Number(process.env.BENCH_RATE ?? 20);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const hashCost = process.env.BENCH_HASH_COST ?? '15';
const now = (): number => performance.timeOrigin + performance.now();

interface Registration {
  readonly email: string;
  readonly sentAt: number;
  answeredAt?: number;
  status?: number;
}

export const main = async (): Promise<void> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fastflix-bench-'));
  await chmod(dataDir, 0o755);
  const smtp = await startSmtpServer();
  /** Each recipient's mails, by when their DATA ended. */
  const arrivals = (): Map<string, number[]> => {
    const byRecipient = new Map<string, number[]>();
    for (const mail of smtp.received) for (const to of mail.to) byRecipient.set(to, [...(byRecipient.get(to) ?? []), mail.receivedAt]);
    return byRecipient;
  };
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
      JWT_SECRET: `bench-secret-${randomUUID()}-${randomUUID()}`,
      SMTP_URL: smtp.url,
      PASSWORD_HASH_COST: hashCost,
      RATE_LIMIT_REGISTRATIONS: '1000000/1h',
    },
    `${base}/readyz`,
  );
  try {
    console.log(
      `${describeMachine()} · shared with other sessions' work while it ran · ${rate}/s for ${seconds} s, PASSWORD_HASH_COST=${hashCost}`,
    );
    const registrations: Registration[] = [];
    const register = async (registration: Registration): Promise<void> => {
      const response = await fetch(`${base}/auth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: registration.email, password: 'bench password 123', displayName: 'Bench Viewer' }),
      });
      await response.text();
      registration.answeredAt = now();
      registration.status = response.status;
    };
    const started = now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < rate * seconds; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const registration: Registration = { email: `bench-${i}-${randomUUID().slice(0, 8)}@fastflix.test`, sentAt: now() };
      registrations.push(registration);
      pending.push(register(registration).catch(() => undefined));
    }
    await Promise.all(pending);
    const registered = registrations.filter((registration) => registration.status === 201);
    const deadline = now() + 60_000;
    while (now() < deadline && registered.some((registration) => smtp.to(registration.email).length === 0)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // for a late duplicate to show
    const fromAnswer: number[] = [];
    const fromRequest: number[] = [];
    const registrationMs: number[] = [];
    let missing = 0;
    let duplicates = 0;
    const received = arrivals();
    for (const registration of registered) {
      const times = received.get(registration.email) ?? [];
      if (times.length === 0) missing++;
      duplicates += Math.max(0, times.length - 1);
      const first = times[0];
      if (first === undefined || registration.answeredAt === undefined) continue;
      fromAnswer.push(first - registration.answeredAt);
      fromRequest.push(first - registration.sentAt);
      registrationMs.push(registration.answeredAt - registration.sentAt);
    }
    const answer = summarise(fromAnswer);
    const request = summarise(fromRequest);
    const registering = summarise(registrationMs);
    console.log(
      table(
        ['scenario', 'registrations', 'mails', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'missing', 'duplicates', 'target'],
        [
          [
            'UserRegistered committed (answer) → welcome mail at SMTP',
            whole(registered.length),
            whole(fromAnswer.length),
            round(answer.p50),
            round(answer.p95),
            round(answer.p99),
            round(answer.max),
            whole(missing),
            whole(duplicates),
            'p99 ≤ 5,000 ms',
          ],
          [
            'registration request sent → welcome mail at SMTP',
            '',
            '',
            round(request.p50),
            round(request.p95),
            round(request.p99),
            round(request.max),
            '',
            '',
            '',
          ],
          [
            'registration request → answer (201)',
            '',
            '',
            round(registering.p50),
            round(registering.p95),
            round(registering.p99),
            round(registering.max),
            '',
            '',
            '',
          ],
        ],
      ),
    );
    const refused = registrations.length - registered.length;
    if (refused > 0) {
      const statuses = [...new Set(registrations.map((registration) => String(registration.status ?? 'no answer')))].join(', ');
      console.log(`\n${whole(refused)} of ${whole(registrations.length)} registrations were not answered 201 (${statuses})`);
    }
  } finally {
    await service.stop();
    await smtp.close();
    await rm(dataDir, { recursive: true, force: true });
  }
};
