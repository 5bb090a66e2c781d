import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { runCli } from '../support/cliProcess.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgresServer.ts';
import { testJwtSecret } from '../support/testService.ts';

// A tiny MovieLens data set whose answer is known. Ten blockbusters (1–10) rated by a crowd of five,
// each in another order, so that each holds out two (their latest) that the other four rated; two
// small circles of three fans (11–13, 21–23) who each hold out the one of their three the others
// rated. The model finds every held-out movie at the top of its list (recall and nDCG 1); the
// most-popular baseline finds the crowd's, but offers the fans ten blockbusters before their circle.
const movies = [
  'movieId,title,genres',
  ...Array.from({ length: 10 }, (_, n) => `${n + 1},Blockbuster ${n + 1} (1999),Action`),
  '11,"Matrix, The (1999)",Action|Sci-Fi',
  '12,"Thirteenth Floor, The (1999)",Sci-Fi',
  '13,eXistenZ (1999),Sci-Fi|Thriller',
  '21,"Amélie (Fabuleux destin d\'Amélie Poulain, Le) (2001)",Comedy|Romance',
  '22,Chocolat (2000),Drama|Romance',
  '23,Big Fish (2003),Drama|Fantasy',
];

const ratingLines = (): string[] => {
  const lines = ['userId,movieId,rating,timestamp'];
  let time = 1_000_000_000;
  for (let crowd = 0; crowd < 5; crowd++) {
    for (let n = 0; n < 10; n++) lines.push(`${crowd + 1},${((2 * crowd + n) % 10) + 1},4.0,${time++}`);
  }
  const circles = [
    [11, 12, 13],
    [21, 22, 23],
  ];
  for (const [c, circle] of circles.entries()) {
    for (let fan = 0; fan < 3; fan++) {
      for (let n = 0; n < 3; n++) lines.push(`${100 + 10 * c + fan},${circle[(fan + n) % 3]!},5.0,${time++}`);
    }
  }
  return lines;
};

describe('fastflix eval recommendations', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let dir: string;
  before(async () => {
    database = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'fastflix-movielens-'));
    await writeFile(join(dir, 'movies.csv'), `${movies.join('\n')}\n`);
    await writeFile(join(dir, 'ratings.csv'), `${ratingLines().join('\n')}\n`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await database.drop();
  });

  const run = async (...extra: string[]) => {
    const cli = runCli(['eval', 'recommendations', '--data', dir, ...extra], {
      DATABASE_URL: database.url.href,
      JWT_SECRET: testJwtSecret,
      FASTFLIX_DATA_DIR: dir,
      // Logs at info go to stderr: stdout must stay the report alone (JSON.parse below).
      LOG_LEVEL: 'info',
    });
    const code = await cli.exited;
    expect(code, cli.stderr()).to.equal(0);
    return cli.stdout();
  };

  it('measures the served model and the most-popular baseline on the temporal split', async () => {
    const report = JSON.parse(await run('--json')) as {
      users: number;
      heldOutRatings: number;
      models: { name: string; precisionAt10: number; recallAt10: number; ndcgAt10: number }[];
    };
    expect(report.users).to.equal(11);
    expect(report.heldOutRatings).to.equal(5 * 2 + 6 * 1);
    const [model, baseline] = report.models;
    expect(model?.name).to.equal('item-knn');
    // Fans: one hit of ten at rank 1; crowd: two hits at ranks 1–2.
    expect(model?.precisionAt10).to.be.closeTo((6 * 0.1 + 5 * 0.2) / 11, 1e-9);
    expect(model?.recallAt10).to.be.closeTo(1, 1e-9);
    expect(model?.ndcgAt10).to.be.closeTo(1, 1e-9);
    expect(baseline?.name).to.equal('most-popular');
    expect(baseline?.precisionAt10).to.be.closeTo((5 * 0.2) / 11, 1e-9);
    expect(baseline?.recallAt10).to.be.closeTo(5 / 11, 1e-9);
    expect(baseline?.ndcgAt10).to.be.closeTo(5 / 11, 1e-9);
  });

  it('prints a table with the ratios to the baseline, and leaves no scratch database behind', async () => {
    const table = await run();
    expect(table).to.match(/item-knn\s+0\.1455\s+1\.0000\s+1\.0000\s+1\.60×\s+2\.20×/);
    expect(table).to.match(/most-popular\s+0\.0909\s+0\.4545\s+0\.4545\s+1\.00×\s+1\.00×/);
    const client = new pg.Client({ connectionString: database.url.href });
    await client.connect();
    const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'fastflix_eval_%'");
    await client.end();
    expect(rows).to.deep.equal([]);
    const cli = runCli(['eval', 'recommendations', '--data', join(dir, 'nowhere')], {
      DATABASE_URL: database.url.href,
      JWT_SECRET: testJwtSecret,
      FASTFLIX_DATA_DIR: dir,
    });
    expect(await cli.exited).to.equal(1);
    expect(cli.stderr()).to.match(/cannot read MovieLens files/);
  });
});
