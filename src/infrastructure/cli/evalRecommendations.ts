import { resolve } from 'node:path';
import { baselineName, evaluateRecommendations, type Evaluation } from '../../recommendations/evaluate.ts';
import { readMovieLens } from '../../recommendations/movielens.ts';
import { openDatabaseServer, StartupError } from '../postgres/database.ts';
import type { CliContext } from './main.ts';

/**
 * `fastflix eval recommendations --data <dir> [--json]`: precision, recall and nDCG at 10 of the
 * served recommendations and of the most-popular baseline on a MovieLens data set (evaluate.ts), in a
 * scratch database on the configured PostgreSQL (the embedded one unless DATABASE_URL is set).
 */
export const evalRecommendationsCommand = async ({ config, log }: CliContext, options: { data: string; json?: boolean }): Promise<void> => {
  const dir = resolve(options.data);
  const data = await readMovieLens(dir).catch((error: unknown) => {
    throw new StartupError(`cannot read MovieLens files in ${dir}: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (data.ratings.length === 0) throw new StartupError(`${dir}/ratings.csv holds no rating`);
  const database = await openDatabaseServer(config, log);
  try {
    const progress = (message: string): void => void process.stderr.write(`${message}…\n`);
    for (const problem of data.rejected.slice(0, 10)) progress(`skipped ${problem}`);
    const evaluation = await evaluateRecommendations(data, { serverUrl: database.url, log, progress });
    process.stdout.write(options.json === true ? `${JSON.stringify(evaluation, null, 2)}\n` : formatEvaluation(dir, evaluation));
  } finally {
    await database.stop();
  }
};

const ratio = (value: number, base: number | undefined): string =>
  base === undefined || base === 0 ? '–' : `${(value / base).toFixed(2)}×`;

export const formatEvaluation = (dir: string, evaluation: Evaluation): string => {
  const baseline = evaluation.models.find((model) => model.name === baselineName);
  const header = ['model', 'precision@10', 'recall@10', 'nDCG@10', 'P@10 vs base', 'nDCG vs base'];
  const rows = evaluation.models.map((model) => [
    model.name,
    model.precisionAt10.toFixed(4),
    model.recallAt10.toFixed(4),
    model.ndcgAt10.toFixed(4),
    ratio(model.precisionAt10, baseline?.precisionAt10),
    ratio(model.ndcgAt10, baseline?.ndcgAt10),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [
    `Recommendations on ${dir}`,
    `${evaluation.users} users; ${evaluation.trainingRatings} training ratings; ${evaluation.heldOutRatings} held out (each user's latest 20%, at least one)`,
    '',
    line(header),
    ...rows.map(line),
    '',
    `similarity tables computed in ${(evaluation.similarityRefreshMs / 1000).toFixed(1)} s`,
    '',
  ].join('\n');
};
