import { randomUUID } from 'node:crypto';
import { logIn } from '../src/commands/logIn/handler.ts';
import { registerUser } from '../src/commands/registerUser/handler.ts';
import { domainEventDefinitions } from '../src/domain/events.ts';
import { Email, type Uuid } from '../src/domain/shared/codecs.ts';
import { RegisterUserRequest } from '../src/commands/registerUser/command.ts';
import { createPasswordHasher } from '../src/infrastructure/auth/passwords.ts';
import { createTokenService } from '../src/infrastructure/auth/tokens.ts';
import { eventRegistry } from '../src/infrastructure/eventStore/eventRegistry.ts';
import { createEventNotifications } from '../src/infrastructure/eventStore/postgres/notifications.ts';
import { createPostgresEventStore } from '../src/infrastructure/eventStore/postgres/postgresEventStore.ts';
import { emailReservationStreams } from '../src/infrastructure/personalData/emailReservationStreams.ts';
import { createPersonalDataKeys } from '../src/infrastructure/personalData/keyStore.ts';
import { sealingEventStore } from '../src/infrastructure/personalData/sealingEventStore.ts';
import { migrate } from '../src/infrastructure/postgres/migrate.ts';
import { createPool } from '../src/infrastructure/postgres/pool.ts';
import { tracedEventStore } from '../src/infrastructure/tracing/tracedEventStore.ts';
import { testLog } from '../test/support/postgresServer.ts';
import { describeMachine } from './support/environment.ts';
import { elapsedMs, round, table } from './support/stats.ts';
import pg from 'pg';

// Issue 19 item 4's target: sealing personal data costs registration and login no more than 5%
// (both are bounded by scrypt). The handlers themselves, in one process, against one PostgreSQL
// database (DATABASE_URL), with the service's scrypt cost (2^15): once on the store as it was
// (PostgreSQL adapter, traced) and once on the sealing store over it (a key made and a reservation
// name keyed per registration, keys looked up per read). Rounds alternate which goes first, so that
// the noise of a shared machine falls on both.

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const users = Number(process.env.BENCH_USERS ?? 15);
const secret = 'bench-secret-that-is-long-enough-for-hs256-0123456789';

const decode = <A>(result: { _tag: 'Left' } | { _tag: 'Right'; right: A }): A => {
  if (result._tag === 'Left') throw new Error('bench value does not decode');
  return result.right;
};

export const main = async (): Promise<void> => {
  const adminUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  const name = `fastflix_bench_erasure_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl.href });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl.href);
  url.pathname = `/${name}`;
  await migrate(url, testLog);
  const pool = createPool(url, 8, 'bench');
  const notifications = createEventNotifications(pool, { connectionString: url.href }, testLog);
  const plain = tracedEventStore(createPostgresEventStore({ pool, notifications }));
  const sealed = sealingEventStore(plain, createPersonalDataKeys(pool), emailReservationStreams(secret));
  const registry = eventRegistry(domainEventDefinitions);
  const passwords = createPasswordHasher(15);
  const tokens = createTokenService({
    secret,
    accessTokenTtlSeconds: 900,
    refreshTokenTtlSeconds: 86_400,
    nowSeconds: () => Date.now() / 1000,
  });
  const metadata = { occurredAt: new Date().toISOString(), actorId: null, correlationId: randomUUID(), causationId: null };

  const sides = [
    { name: 'as before (no sealing)', store: plain, register: [] as number[], login: [] as number[] },
    { name: 'personal data sealed', store: sealed, register: [] as number[], login: [] as number[] },
  ];
  const run = async (side: (typeof sides)[number], count: number, record: boolean): Promise<void> => {
    const dependencies = {
      store: side.store,
      registry,
      passwords,
      tokens,
      newId: () => randomUUID() as Uuid,
      clock: () => new Date(),
    };
    for (let index = 0; index < count; index++) {
      const email = decode(Email.decode(`bench-${randomUUID().slice(0, 12)}@example.test`));
      const password = 'correct horse battery';
      let started = process.hrtime.bigint();
      const request = decode(RegisterUserRequest.decode({ email, password, displayName: 'Bench User' }));
      const registered = await registerUser(dependencies, request, { role: 'user', metadata });
      if (registered._tag === 'Left') throw new Error('registration refused');
      if (record) side.register.push(elapsedMs(started));
      started = process.hrtime.bigint();
      const tokensOut = await logIn(dependencies, { email, password }, metadata);
      if (typeof tokensOut === 'string') throw new Error(`login refused: ${tokensOut}`);
      if (record) side.login.push(elapsedMs(started));
    }
  };
  try {
    for (const side of sides) await run(side, 3, false);
    for (let index = 0; index < rounds; index++)
      for (const side of index % 2 === 0 ? sides : [...sides].reverse()) await run(side, users, true);
    const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
    const [before, after] = sides.map((side) => ({ register: mean(side.register), login: mean(side.login) }));
    if (before === undefined || after === undefined) return;
    console.log(describeMachine());
    console.log(`\n${rounds} rounds of ${users} registrations and logins per side, scrypt 2^15, PostgreSQL at ${adminUrl.host}\n`);
    console.log(
      table(
        ['operation', 'as before, mean ms', 'sealed, mean ms', 'sealed / before'],
        [
          ['register (handler)', round(before.register), round(after.register), `${round((after.register / before.register) * 100)}%`],
          ['login (handler)', round(before.login), round(after.login), `${round((after.login / before.login) * 100)}%`],
        ],
      ),
    );
  } finally {
    await plain.close();
    await notifications.close();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
};
