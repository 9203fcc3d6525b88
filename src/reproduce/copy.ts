// The second build's source tree: what a fresh clone of the commit holds, at another path. In a
// git work tree that is the tracked files (as they are on disk) under a `git clone --shared` of
// the repository reset to the same commit, so Go stamps the same vcs.* settings; elsewhere the
// module's directory without output-dir.
import { cp, lstat, mkdir, readlink, symlink, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../exec.js';

export interface SourceCopy {
  /** The directory copied (the repository's top level, or the module's directory). */
  readonly from: string;
  /** Where the copy lies. */
  readonly to: string;
  /** Paths relative to `from` that the copy holds; null when the whole directory was copied. */
  readonly tracked: ReadonlySet<string> | null;
}

async function git(
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
): Promise<string | null> {
  const result = await run(['git', ...args], { cwd, env, timeoutMs: 300_000 });
  return result.exitCode === 0 ? result.stdout : null;
}

/** Copies the source of `moduleDir` to `to`; throws an Error saying what could not be copied. */
export async function copySource(
  moduleDir: string,
  outputDir: string,
  to: string,
  env: Record<string, string>,
): Promise<SourceCopy> {
  const top = (await git(['rev-parse', '--show-toplevel'], moduleDir, env))?.trim();
  if (!top) {
    const skip = path.resolve(outputDir);
    await cp(moduleDir, to, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => path.resolve(source) !== skip,
    });
    return { from: moduleDir, to, tracked: null };
  }
  const head = (await git(['rev-parse', 'HEAD'], top, env))?.trim();
  const listed = await git(['ls-files', '-z'], top, env);
  if (!head || listed === null) throw new Error(`git could not list the commit's files in ${top}`);
  // Objects are shared, not copied: the clone costs a few files, whatever the history's size.
  const cloned = await run(['git', 'clone', '--quiet', '--shared', '--no-checkout', top, to], {
    cwd: top,
    env,
    timeoutMs: 300_000,
  });
  if (cloned.exitCode !== 0) throw new Error(`git clone --shared ${top} failed: ${cloned.stderr.trim()}`);
  if ((await git(['reset', '--quiet', head], to, env)) === null)
    throw new Error(`git reset ${head} failed in the clone of ${top}`);
  const tracked = new Set(listed.split('\0').filter((p) => p !== ''));
  for (const file of tracked) await copyEntry(path.join(top, file), path.join(to, file));
  return { from: top, to, tracked };
}

/** One tracked path: a file (mode kept) or a symlink as it is; a path deleted on disk is left out, as in the checkout. */
async function copyEntry(from: string, to: string): Promise<void> {
  const st = await lstat(from).catch(() => null);
  if (st === null || st.isDirectory()) return; // deleted, or a submodule's directory
  await mkdir(path.dirname(to), { recursive: true });
  if (st.isSymbolicLink()) await symlink(await readlink(from), to);
  else await copyFile(from, to);
}
