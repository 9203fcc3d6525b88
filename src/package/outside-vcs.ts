// Go stamps vcs.modified from `git status`, which lists untracked files: once the first target's
// binary lands in an output-dir inside the checkout, every later target would be stamped
// `+dirty` and none would match a rebuild. A `.gitignore` of `*` in output-dir (as Python's venv
// writes into its directory) keeps what this tool writes out of git's view.
import { rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../exec.js';
import type { Logger } from '../log.js';

export const GITIGNORE_TEXT =
  '# Written by go-build-matrix: its output must not mark the checkout modified (Go stamps vcs.modified).\n*\n';

async function git(args: readonly string[], cwd: string, env: Record<string, string>) {
  return run(['git', ...args], { cwd, env, timeoutMs: 30_000 });
}

/**
 * Writes `<output-dir>/.gitignore` when output-dir lies inside the module's git work tree, below
 * the module, holds no tracked file and is not ignored already; otherwise leaves everything as is.
 */
export async function keepOutputOutOfVcs(
  outputDir: string,
  moduleDir: string,
  env: Record<string, string>,
  log: Logger,
): Promise<void> {
  const top = await git(['rev-parse', '--show-toplevel'], moduleDir, env);
  if (top.exitCode !== 0) return;
  const inside = path.relative(top.stdout.trim(), outputDir);
  // output-dir '.' (or any directory holding the module) must never hide the sources.
  const holdsModule = !path.relative(outputDir, moduleDir).startsWith('..');
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside) || holdsModule) return;
  const file = path.join(outputDir, '.gitignore');
  if (await stat(file).catch(() => null)) return;
  const probe = path.join(outputDir, 'go-build-matrix-probe');
  const [ignored, tracked] = await Promise.all([
    git(['check-ignore', '-q', '--no-index', probe], moduleDir, env),
    git(['ls-files', '--', outputDir], moduleDir, env),
  ]);
  if (ignored.exitCode === 0) return;
  if (tracked.exitCode !== 0 || tracked.stdout.trim() !== '') {
    log.info(
      `output-dir ${outputDir} holds files git tracks: binaries written there make the targets built after them stamped +dirty (vcs.modified); use an output-dir git ignores.`,
    );
    return;
  }
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, GITIGNORE_TEXT);
  await rename(temp, file);
  log.debug(`${file}: written, so the binaries in output-dir do not mark the checkout modified.`);
}
