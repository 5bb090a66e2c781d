import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBench } from './processes.ts';

/**
 * The project as it was at `revision`, unpacked into a temporary folder (git archive, so no worktree
 * or branch is created) and sharing this checkout's node_modules: the same packages, older code.
 * Benches run it beside the current code to measure what a change costs.
 */
export const unpackRevision = async (
  revision: string,
): Promise<{ readonly root: string; readonly commit: string; readonly remove: () => Promise<void> }> => {
  const repository = fromBench('.');
  const commit = execFileSync('git', ['-C', repository, 'rev-parse', '--short', revision], { encoding: 'utf8' }).trim();
  const root = await mkdtemp(join(tmpdir(), `fastflix-${commit}-`));
  execFileSync('sh', ['-c', `git -C "$0" archive "$1" | tar -x -C "$2"`, repository, commit, root]);
  await symlink(join(repository, 'node_modules'), join(root, 'node_modules'));
  return { root, commit, remove: () => rm(root, { recursive: true, force: true }) };
};

/** The commit before the one that added `path`: the code without what that commit brought. */
export const revisionBefore = (path: string): string => {
  const added = execFileSync('git', ['-C', fromBench('.'), 'log', '--diff-filter=A', '--format=%H', '--', path], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .at(-1);
  if (added === undefined || added === '') throw new Error(`no commit added ${path}`);
  return `${added}^`;
};
