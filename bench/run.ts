// `npm run bench -- <name> [<name> …]`: runs the named benchmarks (all when none is named) and prints
// their figures as Markdown tables for bench/RESULTS.md.

const benchmarks: Record<string, () => Promise<{ main: (args: string[]) => Promise<void> }>> = {
  append: () => import('./append.ts'),
  audit: () => import('./audit.ts'),
  erasure: () => import('./erasure.ts'),
  commands: () => import('./commands.ts'),
  fanout: () => import('./fanout.ts'),
  import: () => import('./import.ts'),
  mail: () => import('./mail.ts'),
  mix: () => import('./mix.ts'),
  rebuild: () => import('./rebuild.ts'),
  tracing: () => import('./tracing.ts'),
  queries: () => import('./queries.ts'),
};

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const flags = process.argv.slice(2).filter((arg) => arg.startsWith('--'));
const unknown = requested.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`);
  process.exit(2);
}
for (const name of requested.length > 0 ? requested : Object.keys(benchmarks)) {
  const load = benchmarks[name];
  if (load === undefined) continue;
  console.log(`\n## ${name}\n`);
  await (await load()).main(flags);
}
process.exit(0);
